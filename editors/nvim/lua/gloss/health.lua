-- `:checkhealth gloss`: the binary, its version, and each running client
-- with the root it detected.

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

function M.check()
  local gloss = require("gloss")
  local options = gloss.options
  report.start("gloss binary")
  local program = options.cmd[1]
  local path = vim.fn.exepath(program)
  if path == "" then
    report.error(
      string.format("'%s' is not an executable on PATH", program),
      { "Install it: cargo install --path server (in the gloss repository)", "Or pass cmd = { '/path/to/gloss', 'lsp' } to setup()" }
    )
  else
    report.ok("found " .. path)
    local version = vim.fn.system({ path, "--version" })
    if vim.v.shell_error == 0 then
      report.ok("version: " .. vim.trim(version))
    else
      report.error("`" .. path .. " --version` failed: " .. vim.trim(version))
    end
  end

  -- `:checkhealth` runs in its own buffer, so report every client rather
  -- than "the current buffer".
  report.start("clients")
  local clients = gloss_clients()
  for _, client in ipairs(clients) do
    local buffers = vim.tbl_keys(client.attached_buffers or {})
    report.ok(string.format("client %d, root %s, %d buffer(s)", client.id, client.config.root_dir or "(none)", #buffers))
  end
  if #clients == 0 then
    local cwd = vim.loop.cwd()
    report.info("no gloss client running; a note in " .. cwd .. " would get the root " .. gloss.find_root(cwd .. "/note.md", options.root_markers))
    report.info("gloss attaches to filetypes: " .. table.concat(options.filetypes, ", "))
  end
end

return M
