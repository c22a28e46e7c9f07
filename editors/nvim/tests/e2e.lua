-- End-to-end test of the plugin in a real, headless Neovim:
--   GLOSS_BIN=... GLOSS_VAULT=... nvim --headless --clean -c "luafile tests/e2e.lua"
-- Exits 0 when every check passes, 1 (with the reason on stderr) otherwise.
-- Run by tests/tests/nvim.rs, which copies the example vault first.

local plugin = vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h:h")
local bin = assert(os.getenv("GLOSS_BIN"), "GLOSS_BIN is not set")
local vault = assert(os.getenv("GLOSS_VAULT"), "GLOSS_VAULT is not set")
local TIMEOUT = 20000

local function log(...)
  io.stderr:write(string.format(...) .. "\n")
end

local function fail(message)
  log("FAIL: %s", message)
  vim.cmd("cquit 1")
end

-- Never hang CI: whatever happens, stop after a minute.
vim.defer_fn(function()
  fail("timed out after 60 s")
end, 60000)

local function gloss_clients(bufnr)
  local found = {}
  for _, client in pairs(vim.lsp.buf_get_clients(bufnr)) do
    if client.name == "gloss" then
      table.insert(found, client)
    end
  end
  return found
end

--- The 0-based line of the first line of `lines` containing `needle`, and
--- the byte column of the match.
local function find(lines, needle)
  for i, line in ipairs(lines) do
    local col = line:find(needle, 1, true)
    if col then
      return i - 1, col - 1
    end
  end
  error("'" .. needle .. "' not found")
end

local function file_lines(path)
  return vim.fn.readfile(path)
end

--- Puts the cursor inside `needle` in the current buffer and sends `method`
--- from there; returns the gloss server's result.
local function request_at(needle, offset, method)
  local line, col = find(vim.api.nvim_buf_get_lines(0, 0, -1, false), needle)
  vim.api.nvim_win_set_cursor(0, { line + 1, col + offset })
  -- make_position_params converts the byte column to the client's
  -- negotiated encoding: the lines under test have CJK before the cursor.
  local params = vim.lsp.util.make_position_params()
  local responses, err = vim.lsp.buf_request_sync(0, method, params, TIMEOUT)
  assert(responses, method .. " failed: " .. tostring(err))
  for _, response in pairs(responses) do
    assert(response.err == nil, method .. " error: " .. vim.inspect(response.err))
    return response.result
  end
  error(method .. ": no response")
end

local function first_location(result)
  assert(result ~= nil, "no definition")
  if result.uri == nil and result.targetUri == nil then
    result = result[1]
  end
  local uri = result.uri or result.targetUri
  local range = result.range or result.targetSelectionRange
  return vim.uri_to_fname(uri), range.start.line
end

local function run()
  vim.opt.runtimepath:prepend(plugin)
  require("gloss").setup({ cmd = { bin, "lsp" }, keymaps = true })

  local note = vault .. "/paradigm-shifts.md"
  vim.cmd("edit " .. vim.fn.fnameescape(note))
  local bufnr = vim.api.nvim_get_current_buf()
  assert(vim.bo.filetype == "markdown", "filetype is '" .. vim.bo.filetype .. "'")

  assert(vim.wait(TIMEOUT, function()
    return #gloss_clients(bufnr) > 0
  end, 50), "no gloss client attached")
  local client = gloss_clients(bufnr)[1]
  assert(vim.fn.resolve(client.config.root_dir) == vim.fn.resolve(vault), "root is " .. tostring(client.config.root_dir))
  log("ok: client %d attached, root %s", client.id, client.config.root_dir)

  -- Diagnostics are published once indexing is complete, so after this the
  -- whole vault is known.
  assert(vim.wait(TIMEOUT, function()
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      if d.message:find("Chian of Thought", 1, true) then
        return true
      end
    end
    return false
  end, 50), "no diagnostic for the broken link [[Chian of Thought]]: " .. vim.inspect(vim.diagnostic.get(bufnr)))
  local line = find(vim.api.nvim_buf_get_lines(0, 0, -1, false), "[[Chian of Thought]]")
  local on_line = vim.diagnostic.get(bufnr, { lnum = line })
  assert(#on_line >= 1 and on_line[1].severity == vim.diagnostic.severity.ERROR, vim.inspect(on_line))
  log("ok: broken-link diagnostic on line %d", line + 1)

  local hover = request_at("[[Transformer]]", 4, "textDocument/hover")
  local text = hover and hover.contents and (hover.contents.value or hover.contents) or ""
  assert(type(text) == "string" and text:find("an architecture built only from attention", 1, true), "hover: " .. vim.inspect(hover))
  log("ok: hover shows the glossary definition")

  local file, def_line = first_location(request_at("[[Transformer]]", 4, "textDocument/definition"))
  local glossary = vault .. "/glossary.md"
  assert(vim.fn.resolve(file) == vim.fn.resolve(glossary), "definition in " .. file)
  assert(def_line == find(file_lines(glossary), "- Transformer:"), "definition on line " .. def_line)
  log("ok: definition jumps to glossary.md:%d", def_line + 1)

  file, def_line = first_location(request_at("@vaswani2017attention", 2, "textDocument/definition"))
  local bib = vault .. "/papers.bib"
  assert(vim.fn.resolve(file) == vim.fn.resolve(bib), "citation definition in " .. file)
  assert(def_line == find(file_lines(bib), "{vaswani2017attention,"), "bib entry on line " .. def_line)
  log("ok: citation definition jumps to papers.bib:%d", def_line + 1)

  local maps = {}
  for _, map in ipairs(vim.api.nvim_buf_get_keymap(bufnr, "n")) do
    maps[map.lhs] = true
  end
  assert(maps["K"] and maps["gd"] and maps["gr"], "keymaps = true did not map K, gd, gr")
  log("ok: buffer-local keymaps")

  vim.cmd("checkhealth gloss")
  local report = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), "\n")
  assert(report:find("found " .. bin, 1, true), "checkhealth: " .. report)
  assert(report:find("gloss 0.", 1, true), "checkhealth shows no version: " .. report)
  assert(report:find("root " .. client.config.root_dir, 1, true), "checkhealth shows no root: " .. report)
  log("ok: checkhealth gloss")
end

local ok, err = xpcall(run, debug.traceback)
if not ok then
  fail(err)
else
  local v = vim.version()
  log("all checks passed on Neovim %d.%d.%d", v.major, v.minor, v.patch)
  vim.cmd("qall!")
end
