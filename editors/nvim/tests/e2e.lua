-- End-to-end test of the plugin in a real, headless Neovim:
--   GLOSS_BIN=... GLOSS_VAULT=... [GLOSS_PARSER_RTP=...] nvim --headless --clean -c "luafile tests/e2e.lua"
-- Exits 0 when every check passes, 1 (with the reason on stderr) otherwise.
-- Run by tests/tests/nvim.rs on Debian's Neovim 0.7 and on Neovim 0.11,
-- after copying the example vault; GLOSS_PARSER_RTP is a folder holding
-- parser/gloss.so, required on 0.11+ (the highlighting checks).
--
-- Checks that need a newer Neovim run only there: tree-sitter highlighting
-- with the ABI-15 parser and markdown's tree-sitter `]]`/`gO` (0.11+), and
-- the keymaps differ by version.

local plugin = vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h:h")
local bin = assert(os.getenv("GLOSS_BIN"), "GLOSS_BIN is not set")
local vault = assert(os.getenv("GLOSS_VAULT"), "GLOSS_VAULT is not set")
local parser_rtp = os.getenv("GLOSS_PARSER_RTP")
local has_0_11 = vim.fn.has("nvim-0.11") == 1
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

-- Every vim.notify, to check what the plugin says (and how often).
local notifications = {}
vim.notify = function(message, level)
  table.insert(notifications, { message = message, level = level })
  log("notify(%s): %s", tostring(level), message)
end

local function gloss_clients(bufnr)
  local all = vim.lsp.get_clients ~= nil and vim.lsp.get_clients({ bufnr = bufnr }) or vim.lsp.buf_get_clients(bufnr)
  local found = {}
  for _, client in pairs(all) do
    if client.name == "gloss" then
      table.insert(found, client)
    end
  end
  return found
end

--- Waits for `condition`; `what` (a string, or a function giving one once
--- the wait failed) says what did not happen.
local function wait_for(what, condition)
  if not vim.wait(TIMEOUT, condition, 20) then
    error(type(what) == "function" and what() or what, 2)
  end
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

local function buffer_lines(bufnr)
  return vim.api.nvim_buf_get_lines(bufnr or 0, 0, -1, false)
end

local function file_lines(path)
  return vim.fn.readfile(path)
end

local function write_note(name, lines)
  local path = vault .. "/" .. name
  vim.fn.writefile(lines, path)
  return path
end

--- Whether a diagnostic of `bufnr` contains `text` (and has `code`, if given).
local function has_diagnostic(bufnr, text, code)
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.message:find(text, 1, true) and (code == nil or d.code == code) then
      return true
    end
  end
  return false
end

--- Puts the cursor inside `needle` in the current buffer and sends `method`
--- from there; returns the gloss server's result.
local function request_at(needle, offset, method)
  local line, col = find(buffer_lines(0), needle)
  vim.api.nvim_win_set_cursor(0, { line + 1, col + offset })
  -- make_position_params converts the byte column to the client's
  -- negotiated encoding: the lines under test have CJK before the cursor.
  local client = gloss_clients(0)[1]
  local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
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

--- Redraws and lets scheduled callbacks run: Neovim reports an error of a
--- decoration provider (the highlighter) through a scheduled message, so
--- `:redraw` alone would return before it. Fails on any error message.
local function redraw_without_errors(what)
  vim.v.errmsg = ""
  local before = vim.fn.execute("messages")
  vim.cmd("redraw!")
  vim.wait(100)
  local messages = vim.fn.execute("messages"):sub(#before + 1)
  assert(vim.v.errmsg == "" and not messages:find("Error", 1, true), what .. ": " .. vim.v.errmsg .. messages)
end

local function floating_windows()
  local found = {}
  for _, win in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_config(win).relative ~= "" then
      table.insert(found, win)
    end
  end
  return found
end

-- A missing binary: one ERROR notification, however many notes open.
local function check_missing_binary()
  local folder = vim.fn.tempname()
  vim.fn.mkdir(folder, "p")
  local missing = folder .. "/no-such-gloss"
  require("gloss").setup({ cmd = { missing, "lsp" } })
  for _, name in ipairs({ "a.md", "b.md" }) do
    vim.fn.writefile({ "# " .. name }, folder .. "/" .. name)
    vim.cmd("edit " .. vim.fn.fnameescape(folder .. "/" .. name))
  end
  vim.wait(200) -- a client start on 0.11 is scheduled
  local errors = {}
  for _, n in ipairs(notifications) do
    if n.level == vim.log.levels.ERROR then
      table.insert(errors, n.message)
    end
  end
  assert(#errors == 1 and errors[1]:find(missing, 1, true), "missing binary: " .. vim.inspect(notifications))
  assert(#gloss_clients() == 0, "a client started without a binary")
  vim.cmd("silent! %bwipeout!")
  notifications = {}
  log("ok: one notification for a missing binary")
end

-- The root rule of the CLI (server/src/workspace/load.rs find_root).
local function check_root_rule()
  local find_root = require("gloss").find_root
  local top = (vim.uv or vim.loop).fs_realpath(vim.fn.fnamemodify(vim.fn.tempname(), ":h")) .. "/gloss-root"
  local function dir(path)
    vim.fn.mkdir(top .. "/" .. path, "p")
    return top .. "/" .. path
  end
  -- gloss.toml above .git: the repository wins, the walk stops there.
  vim.fn.writefile({}, dir("outer") .. "/gloss.toml")
  dir("outer/repo/.git")
  assert(find_root(dir("outer/repo/notes") .. "/n.md") == top .. "/outer/repo", "stop at .git")
  -- gloss.toml below .git: the vault inside the repository.
  vim.fn.writefile({}, dir("outer/repo/vault") .. "/gloss.toml")
  assert(find_root(dir("outer/repo/vault/sub") .. "/n.md") == top .. "/outer/repo/vault", "gloss.toml under .git")
  -- .obsidian/ counts like gloss.toml.
  dir("outer/repo/obs/.obsidian")
  assert(find_root(dir("outer/repo/obs/x") .. "/n.md") == top .. "/outer/repo/obs", ".obsidian")
  -- A worktree's .git is a file; it stops the walk all the same.
  vim.fn.writefile({ "gitdir: elsewhere" }, dir("worktree") .. "/.git")
  assert(find_root(dir("worktree/notes") .. "/n.md") == top .. "/worktree", ".git file")
  -- Neither above: the note's own folder.
  assert(find_root(dir("alone/deeper") .. "/n.md") == top .. "/alone/deeper", "the note's folder")
  vim.fn.delete(top, "rf")
  log("ok: root rule")
end

-- The note with every inline construct the highlight query matches.
local function check_highlighting(note_bufnr)
  local highlights = vim.treesitter.query.get("gloss", "highlights")
  assert(highlights ~= nil, "no gloss highlights query")
  assert(vim.treesitter.query.get("gloss", "injections") ~= nil, "no gloss injections query")

  local path = write_note("highlighting.md", {
    "# Highlighting",
    "",
    "Bare @key, a group [@a; @b], a cross-reference @fig-x and a [[link]].",
    "",
    "## Second",
    "",
    "Text.",
  })
  vim.cmd("edit " .. vim.fn.fnameescape(path))
  local bufnr = vim.api.nvim_get_current_buf()
  local highlighter = vim.treesitter.highlighter.active[bufnr]
  assert(highlighter ~= nil and highlighter.tree:lang() == "gloss", "no gloss highlighter in the note")
  assert(vim.bo.syntax == "markdown", "markdown's regex syntax is gone: '" .. vim.bo.syntax .. "'")
  redraw_without_errors("highlighting a note with bare citations")

  -- Neovim's regex engine evaluates the #match? predicates here.
  local function captures_at(needle)
    local row, col = find(buffer_lines(bufnr), needle)
    -- The highlighter's own tree: get_parser() would swap the buffer's
    -- cached parser, as markdown's gO does below.
    vim.treesitter.highlighter.active[bufnr].tree:parse()
    local names = {}
    for _, capture in ipairs(vim.treesitter.get_captures_at_pos(bufnr, row, col + 1)) do
      names[capture.capture] = true
    end
    return names
  end
  local key, xref, group, link = captures_at("@key"), captures_at("@fig-x"), captures_at("[@a"), captures_at("[[link]]")
  assert(key["string.special.symbol"] and not key["markup.link.label"], "@key: " .. vim.inspect(key))
  assert(xref["markup.link.label"] and not xref["string.special.symbol"], "@fig-x: " .. vim.inspect(xref))
  assert(group["string.special.symbol"], "[@a; @b]: " .. vim.inspect(group))
  assert(link["markup.link"], "[[link]]: " .. vim.inspect(link))
  log("ok: gloss highlighting, no error on redraw")

  -- Markdown's ftplugin still works: `]]` jumps to the next heading, `gO`
  -- lists the headings in a location list.
  vim.api.nvim_win_set_cursor(0, { 1, 0 })
  vim.cmd("normal ]]")
  assert(vim.api.nvim_win_get_cursor(0)[1] == 5, "]] went to line " .. vim.api.nvim_win_get_cursor(0)[1])
  local note_win = vim.api.nvim_get_current_win()
  vim.cmd("normal gO")
  local toc = vim.fn.getloclist(note_win)
  assert(#toc == 2 and toc[1].text:find("Highlighting", 1, true) and toc[2].text:find("Second", 1, true), "gO: " .. vim.inspect(toc))
  vim.cmd("lclose")
  vim.api.nvim_set_current_win(note_win)
  -- `gO` parsed the buffer with markdown; gloss still highlights it, edits
  -- included.
  assert(vim.treesitter.highlighter.active[bufnr].tree:lang() == "gloss", "gloss highlighter gone after gO")
  vim.api.nvim_buf_set_lines(bufnr, -1, -1, false, { "", "Added after gO: @fig-y." })
  redraw_without_errors("highlighting after ]], gO and an edit")
  assert(captures_at("@fig-y")["markup.link.label"], "no highlight of a line added after gO")
  log("ok: markdown's ]] and gO in a gloss-highlighted note")

  vim.cmd("buffer " .. note_bufnr)
end

-- A hover float is markdown, not gloss, even with gloss highlighting notes.
local function check_hover_float()
  local line, col = find(buffer_lines(0), "[[Transformer]]")
  vim.api.nvim_win_set_cursor(0, { line + 1, col + 4 })
  vim.lsp.buf.hover()
  wait_for("no hover float", function()
    return #floating_windows() > 0
  end)
  local float_buf = vim.api.nvim_win_get_buf(floating_windows()[1])
  local text = table.concat(buffer_lines(float_buf), "\n")
  assert(text:find("an architecture built only from attention", 1, true), "hover float: " .. text)
  local filetype = vim.bo[float_buf].filetype
  if has_0_11 then
    assert(filetype == "markdown", "hover float filetype '" .. filetype .. "'")
    local highlighter = vim.treesitter.highlighter.active[float_buf]
    local lang = highlighter and highlighter.tree:lang()
    assert(lang == nil or lang == "markdown", "hover float highlighted as " .. tostring(lang))
  end
  for _, win in ipairs(floating_windows()) do
    vim.api.nvim_win_close(win, true)
  end
  log("ok: hover float (filetype '%s')", filetype)
end

-- A glossary edit reaches the diagnostics of another open note.
local function check_cross_file_refresh()
  local user = write_note("new-term-user.md", { "# Uses a new term", "", "See [[New Term]]." })
  vim.cmd("edit " .. vim.fn.fnameescape(user))
  local user_buf = vim.api.nvim_get_current_buf()
  local function diagnostics()
    return vim.inspect(vim.diagnostic.get(user_buf))
  end
  wait_for(function()
    return "no broken-link diagnostic for [[New Term]]: " .. diagnostics()
  end, function()
    return has_diagnostic(user_buf, "'New Term'", "broken-link")
  end)
  local changedtick = vim.api.nvim_buf_get_changedtick(user_buf)

  vim.cmd("split " .. vim.fn.fnameescape(vault .. "/glossary.md"))
  local line = find(buffer_lines(0), "- Transformer:")
  vim.api.nvim_buf_set_lines(0, line, line, false, { "- New Term: a term added while the other note is open." })
  vim.cmd("silent write")
  wait_for(function()
    return "the diagnostic of [[New Term]] stayed after the glossary edit: " .. diagnostics()
  end, function()
    return not has_diagnostic(user_buf, "'New Term'", "broken-link")
  end)
  assert(vim.api.nvim_buf_get_changedtick(user_buf) == changedtick, "the note was touched")
  vim.cmd("close")
  log("ok: glossary edit refreshed another note's diagnostics")
end

local function check_keymaps(bufnr)
  local gloss_maps = {}
  for _, map in ipairs(vim.api.nvim_buf_get_keymap(bufnr, "n")) do
    if (map.desc or ""):find("^gloss:") then
      gloss_maps[map.lhs] = true
    end
  end
  if has_0_11 then
    -- K and grr are Neovim's own there; gr would delay grr, grn, gra.
    assert(gloss_maps["gd"] and not gloss_maps["K"] and not gloss_maps["gr"], "0.11 keymaps: " .. vim.inspect(gloss_maps))
    assert(vim.fn.maparg("grr", "n") ~= "", "Neovim's grr is gone")
  else
    assert(gloss_maps["K"] and gloss_maps["gd"] and gloss_maps["gr"], "keymaps = true did not map K, gd, gr: " .. vim.inspect(gloss_maps))
  end
  log("ok: buffer-local keymaps")
end

--- The server's semantic tokens coloured with the plugin's links, and the
--- citation inlay hints on (Neovim 0.10+).
local function check_semantic_tokens(bufnr)
  if vim.fn.has("nvim-0.10") == 0 then
    -- Neovim 0.7 has neither semantic tokens nor inlay hints.
    return
  end
  local link = vim.api.nvim_get_hl(0, { name = "@lsp.type.conceptLink" }).link
  assert(link == "Underlined", "@lsp.type.conceptLink links to " .. tostring(link))
  assert(vim.lsp.inlay_hint.is_enabled({ bufnr = bufnr }), "inlay hints are off")
  local line = find(buffer_lines(bufnr), "@vaswani2017attention")
  wait_for("no citation token on @vaswani2017attention", function()
    local col = buffer_lines(bufnr)[line + 1]:find("@vaswani2017attention", 1, true)
    for _, token in ipairs(vim.lsp.semantic_tokens.get_at_pos(bufnr, line, col) or {}) do
      if token.type == "citation" then
        return true
      end
    end
    return false
  end)
  log("ok: semantic tokens and inlay hints")
end

local function check_health(client)
  vim.cmd("checkhealth gloss")
  local report = table.concat(buffer_lines(0), "\n")
  assert(report:find("found " .. bin, 1, true), "checkhealth does not show the effective cmd: " .. report)
  assert(report:find("gloss 0.", 1, true), "checkhealth shows no version: " .. report)
  assert(report:find("root " .. client.config.root_dir, 1, true), "checkhealth shows no root: " .. report)
  if has_0_11 then
    assert(report:find("highlights.scm parses", 1, true), "checkhealth shows no query check: " .. report)
  end
  log("ok: checkhealth gloss")
end

local function run()
  vim.opt.runtimepath:prepend(plugin)
  if has_0_11 then
    assert(parser_rtp, "GLOSS_PARSER_RTP is not set: the highlighting checks need parser/gloss.so")
    vim.opt.runtimepath:append(parser_rtp)
    -- What Neovim sources at startup for a plugin on 'runtimepath'.
    vim.cmd("runtime plugin/gloss.lua")
  end

  check_root_rule()
  check_missing_binary()

  local settings = { severity = { ["broken-link"] = "warning" } }
  if has_0_11 then
    -- The cmd set the 0.11 way; setup() without cmd must keep it, and
    -- :checkhealth must report it.
    vim.lsp.config("gloss", { cmd = { bin, "lsp" } })
    require("gloss").setup({ keymaps = true, highlight = true, settings = settings })
  else
    require("gloss").setup({ cmd = { bin, "lsp" }, keymaps = true, settings = settings })
  end

  -- Opened right away, while the server indexes the vault.
  local note = vault .. "/paradigm-shifts.md"
  vim.cmd("edit " .. vim.fn.fnameescape(note))
  local bufnr = vim.api.nvim_get_current_buf()
  assert(vim.bo.filetype == "markdown", "filetype is '" .. vim.bo.filetype .. "'")

  wait_for("no gloss client attached", function()
    return #gloss_clients(bufnr) > 0
  end)
  local client = gloss_clients(bufnr)[1]
  assert(vim.fn.resolve(client.config.root_dir) == vim.fn.resolve(vault), "root is " .. tostring(client.config.root_dir))
  log("ok: client %d attached, root %s", client.id, client.config.root_dir)

  -- Pushed once indexing is complete, with no edit; after this the whole
  -- vault is known.
  wait_for(function()
    return "no diagnostic for the broken link [[Chian of Thought]]: " .. vim.inspect(vim.diagnostic.get(bufnr))
  end, function()
    return has_diagnostic(bufnr, "'Chian of Thought'", "broken-link")
  end)
  local line = find(buffer_lines(bufnr), "[[Chian of Thought]]")
  local on_line = vim.diagnostic.get(bufnr, { lnum = line })
  -- broken-link is an error by default; init_options made it a warning.
  assert(#on_line >= 1 and on_line[1].severity == vim.diagnostic.severity.WARN, vim.inspect(on_line))
  log("ok: broken-link diagnostic on line %d, with no edit, severity from init_options", line + 1)

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

  check_keymaps(bufnr)
  check_semantic_tokens(bufnr)
  check_hover_float()
  if has_0_11 then
    check_highlighting(bufnr)
  end
  check_cross_file_refresh()
  check_health(client)
  assert(#notifications == 0, "unexpected notifications: " .. vim.inspect(notifications))
end

local ok, err = xpcall(run, debug.traceback)
if not ok then
  fail(err)
else
  local v = vim.version()
  log("all checks passed on Neovim %d.%d.%d", v.major, v.minor, v.patch)
  vim.cmd("qall!")
end
