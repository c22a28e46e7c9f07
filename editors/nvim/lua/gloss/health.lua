-- `:checkhealth gloss`: the binary of the effective `cmd` and its version,
-- each running client with the root it detected, and the highlighting
-- parser and queries.

local M = {}

-- The reporting functions moved twice: health#report_* (0.7),
-- vim.health.report_* (0.8-0.9), vim.health.* (0.10+).
local report = {}
for _, kind in ipairs({ "start", "ok", "warn", "error", "info" }) do
  report[kind] = function(...)
    local health = vim.health
    if health ~= nil and health[kind] ~= nil then
      return health[kind](...)
    elseif health ~= nil and health["report_" .. kind] ~= nil then
      return health["report_" .. kind](...)
    end
    return vim.fn["health#report_" .. kind](...)
  end
end

local function gloss_clients()
  local all = vim.lsp.get_clients ~= nil and vim.lsp.get_clients() or vim.lsp.get_active_clients()
  local found = {}
  for _, client in pairs(all) do
    if client.name == "gloss" then
      table.insert(found, client)
    end
  end
  return found
end

local function check_binary(cmd)
  -- On 0.11+ this is vim.lsp.config.gloss.cmd, which a vim.lsp.config("gloss",
  -- { cmd = … }) changes without going through setup().
  if type(cmd) == "function" then
    report.info("cmd is a function: Neovim calls it to start the server; nothing to check here")
    return
  end
  if type(cmd) ~= "table" or cmd[1] == nil then
    report.error("no cmd configured: " .. vim.inspect(cmd))
    return
  end
  report.info("cmd: " .. table.concat(cmd, " "))
  local program = cmd[1]
  local path = vim.fn.exepath(program)
  if path == "" then
    report.error(string.format("'%s' is not an executable", program), {
      "Install it: cargo install --path server (in the gloss repository)",
      "Or set cmd = { '/path/to/gloss', 'lsp' } in setup() or vim.lsp.config('gloss', …)",
    })
    return
  end
  report.ok("found " .. path)
  local version = vim.fn.system({ path, "--version" })
  if vim.v.shell_error == 0 then
    report.ok("version: " .. vim.trim(version))
  else
    report.error("`" .. path .. " --version` failed: " .. vim.trim(version))
  end
end

local function check_highlighting(gloss)
  if vim.fn.has("nvim-0.11") == 0 then
    report.info("tree-sitter highlighting needs Neovim 0.11+ (the parser uses ABI 15)")
    return
  end
  local ok, loaded, err = pcall(vim.treesitter.language.add, "gloss")
  if not (ok and loaded) then
    local how = "in the gloss repository: cc -shared -fPIC -O2 -I grammar/src grammar/src/parser.c"
      .. " grammar/src/scanner.c -o editors/nvim/parser/gloss.so"
    local say = gloss.options.highlight and report.warn or report.info
    say("no loadable gloss parser (" .. tostring(ok and err or loaded) .. "); optional, for highlighting", { how })
    return
  end
  report.ok("parser: " .. (vim.api.nvim_get_runtime_file("parser/gloss.*", false)[1] or "loaded"))
  -- Neovim compiles a #match? regex only when a match needs it, so run the
  -- queries over a sample: a regex its engine rejects fails here rather
  -- than in the highlighter of every note.
  local sample = "# Note\n\nSee @key, [@a; @b], @fig-x and [[link]].\n"
  for _, name in ipairs({ "highlights", "injections" }) do
    local ran, err = pcall(function()
      local query = assert(vim.treesitter.query.get("gloss", name), "not found")
      local tree = vim.treesitter.get_string_parser(sample, "gloss"):parse()[1]
      for _ in query:iter_captures(tree:root(), sample) do
      end
    end)
    if ran then
      report.ok("queries/gloss/" .. name .. ".scm parses and runs")
    else
      report.error("queries/gloss/" .. name .. ".scm: " .. tostring(err))
    end
  end
  report.info(gloss.options.highlight and "setup({ highlight = true }): notes are highlighted with gloss"
    or "notes are not highlighted with gloss (setup({ highlight = true }) does it)")
end

function M.check()
  local gloss = require("gloss")
  local config = gloss.effective_config()

  report.start("gloss binary")
  check_binary(config.cmd)

  -- `:checkhealth` runs in its own buffer, so report every client rather
  -- than "the current buffer".
  report.start("clients")
  local clients = gloss_clients()
  for _, client in ipairs(clients) do
    local buffers = vim.tbl_keys(client.attached_buffers or {})
    report.ok(string.format("client %d, root %s, %d buffer(s)", client.id, client.config.root_dir or "(none)", #buffers))
  end
  if #clients == 0 then
    local cwd = (vim.uv or vim.loop).cwd()
    report.info("no gloss client running; a note in " .. cwd .. " would get the root " .. gloss.find_root(cwd .. "/note.md"))
    report.info("gloss attaches to filetypes: " .. table.concat(config.filetypes or {}, ", "))
  end

  report.start("highlighting")
  check_highlighting(gloss)
end

return M
