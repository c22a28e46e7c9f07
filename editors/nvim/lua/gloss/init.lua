-- gloss for Neovim: attaches `gloss lsp` to Markdown buffers, one client per
-- root. All intelligence lives in the server; this file only picks the right
-- client API for the running Neovim:
--   0.11+     vim.lsp.config + vim.lsp.enable (the defaults are lsp/gloss.lua)
--   0.8-0.10  vim.lsp.start (reuses a client with the same name and root)
--   0.7       vim.lsp.start_client + vim.lsp.buf_attach_client
-- and, optionally, starts the tree-sitter highlighter of the gloss grammar in
-- note buffers (0.11+).

local M = {}

M.defaults = {
  cmd = { "gloss", "lsp" },
  -- Quarto (`.qmd`) and R Markdown (`.Rmd`) documents are notes too.
  filetypes = { "markdown", "quarto", "rmd" },
  -- Sent as initializationOptions, e.g. { severity = { ["broken-link"] = "warning" } }.
  settings = {},
  -- true: buffer-local maps for what Neovim does not map itself (see
  -- keymap_list).
  keymaps = false,
  -- true: highlight notes with the gloss grammar (Neovim 0.11+, with the
  -- parser built into parser/gloss.so on 'runtimepath').
  highlight = false,
  -- true: show who wrote a cited paper, and when, after its key or title
  -- (inlay hints, Neovim 0.10+; the server's `hints.citations` setting).
  inlay_hints = true,
}

--- The options given to the last `setup`, merged over the defaults. On 0.11+
--- the `cmd` and `filetypes` in use are those of `vim.lsp.config.gloss`
--- (see effective_config), which also holds the user's own
--- `vim.lsp.config("gloss", …)`.
M.options = vim.deepcopy(M.defaults)

local uv = vim.uv or vim.loop
local has_0_11 = vim.fn.has("nvim-0.11") == 1

--- Folders that make a workspace, as in the CLI (server/src/workspace/load.rs).
M.vault_markers = { "gloss.toml", ".obsidian" }

local function exists(path)
  return uv.fs_stat(path) ~= nil
end

--- The workspace root of the note `path`, by the CLI's rule (`find_root` in
--- server/src/workspace/load.rs), so that the editor and `gloss check` see
--- the same vault: walking up from the note's folder, the first folder
--- holding `gloss.toml` or `.obsidian/` is the root, but the walk stops at
--- the first folder holding `.git` (a configuration above a repository
--- belongs to another project), which is then the root; with neither, the
--- note's own folder. Symlinks are resolved first, as the CLI does.
function M.find_root(path)
  local dir = vim.fn.fnamemodify(path, ":p:h")
  dir = uv.fs_realpath(dir) or dir
  local current = dir
  while true do
    local prefix = current == "/" and "" or current
    for _, marker in ipairs(M.vault_markers) do
      if exists(prefix .. "/" .. marker) then
        return current
      end
    end
    if exists(prefix .. "/.git") then
      return current
    end
    local parent = vim.fn.fnamemodify(current, ":h")
    if parent == current then
      return dir
    end
    current = parent
  end
end

--- The root for a buffer; an unnamed buffer counts as a note in the
--- current folder.
function M.buffer_root(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == "" then
    name = uv.cwd() .. "/untitled.md"
  end
  return M.find_root(name)
end

--- The configuration Neovim will actually use: on 0.11+ the merge of
--- lsp/gloss.lua, `vim.lsp.config("gloss", …)` and setup's options.
function M.effective_config()
  if has_0_11 then
    local ok, config = pcall(function()
      return vim.lsp.config.gloss
    end)
    if ok and config ~= nil then
      return config
    end
  end
  return { cmd = M.options.cmd, filetypes = M.options.filetypes }
end

local warned = {} -- what has been said once already, by topic

local function notify_once(topic, message, level)
  if not warned[topic] then
    warned[topic] = true
    vim.notify(message, level)
  end
end

--- Whether `cmd` can be started. When it cannot, says so once per session:
--- Neovim itself only writes it to its LSP log (0.11, which then skips the
--- config) or raises a long error at every note opened (0.7-0.10).
function M.check_cmd(cmd)
  if type(cmd) ~= "table" then
    return true -- a function: Neovim calls it, there is nothing to look up
  end
  if cmd[1] ~= nil and vim.fn.executable(cmd[1]) == 1 then
    return true
  end
  notify_once(
    "binary",
    string.format(
      "gloss: the language server '%s' is not an executable; install it (cargo install --path server"
        .. " in the gloss repository) or set cmd. See :checkhealth gloss",
      tostring(cmd[1])
    ),
    vim.log.levels.ERROR
  )
  return false
end

local function is_note(bufnr, filetypes)
  return vim.api.nvim_buf_is_loaded(bufnr)
    and vim.bo[bufnr].buftype == ""
    and vim.tbl_contains(filetypes or {}, vim.bo[bufnr].filetype)
end

--- 0.11+: `vim.lsp.enable` skips a config whose cmd is not executable without
--- a word, so check it when a note opens. Used by setup() and by
--- plugin/gloss.lua (for `vim.lsp.enable("gloss")` without setup); calling it
--- again replaces the autocommand.
function M.watch_binary()
  local function enabled()
    if vim.lsp.is_enabled ~= nil then
      return vim.lsp.is_enabled("gloss")
    end
    -- Early 0.11 releases lack is_enabled: read the table vim.lsp.enable fills.
    return (rawget(vim.lsp, "_enabled_configs") or {}).gloss ~= nil
  end
  local function check(bufnr)
    local config = M.effective_config()
    if enabled() and is_note(bufnr, config.filetypes) and not M.check_cmd(config.cmd) then
      pcall(vim.api.nvim_del_augroup_by_name, "gloss.binary") -- said once, done
    end
  end
  vim.api.nvim_create_autocmd("FileType", {
    group = vim.api.nvim_create_augroup("gloss.binary", { clear = true }),
    callback = function(args)
      check(args.buf)
    end,
  })
  return check
end

--- The buffer-local maps of `keymaps = true`. Neovim 0.11 maps `K` (hover),
--- `grr` (references), `grn`, `gra`, `gri` and markdown's `gO` itself, and a
--- `gr` map would make all of those wait for 'timeoutlen': there only `gd`
--- is added.
local function keymap_list()
  local maps = { { "gd", vim.lsp.buf.definition, "gloss: go to definition" } }
  if not has_0_11 then
    table.insert(maps, 1, { "K", vim.lsp.buf.hover, "gloss: hover" })
    table.insert(maps, { "gr", vim.lsp.buf.references, "gloss: references" })
  end
  return maps
end

local function set_keymaps(bufnr)
  for _, map in ipairs(keymap_list()) do
    vim.keymap.set("n", map[1], map[2], { buffer = bufnr, desc = map[3], silent = true })
  end
end

--- What a note buffer gets when the client attaches: the keymaps, if
--- asked for, and the inlay hints (Neovim leaves them off by default).
local function attached(bufnr)
  if M.options.keymaps then
    set_keymaps(bufnr)
  end
  if M.options.inlay_hints and vim.fn.has("nvim-0.10") == 1 then
    vim.lsp.inlay_hint.enable(true, { bufnr = bufnr })
  end
end

local function on_attach(_, bufnr)
  attached(bufnr)
end

--- Colours for the server's semantic tokens (Neovim 0.9+), linked with
--- `default = true` so that a colour scheme's or the user's own win. They
--- colour concept links, citations and titles in any Markdown buffer,
--- without the gloss grammar.
M.token_highlights = {
  ["@lsp.type.conceptLink"] = "Underlined",
  ["@lsp.type.citation"] = "Special",
  ["@lsp.type.crossReference"] = "Special",
  ["@lsp.type.paperTitle"] = "Identifier",
  ["@lsp.type.glossaryTerm"] = "Type",
  ["@lsp.typemod.conceptLink.unresolved"] = "DiagnosticUnderlineError",
  ["@lsp.typemod.citation.unresolved"] = "DiagnosticUnderlineError",
  ["@lsp.typemod.crossReference.unresolved"] = "DiagnosticUnderlineError",
}

local function set_token_highlights()
  if vim.fn.has("nvim-0.9") == 0 then
    return
  end
  for group, link in pairs(M.token_highlights) do
    vim.api.nvim_set_hl(0, group, { link = link, default = true })
  end
end

--- Whether the gloss parser can be loaded; says once why not. The committed
--- parser uses tree-sitter ABI 15, which Neovim reads from 0.11 on.
local function parser_available()
  if not has_0_11 then
    notify_once("parser", "gloss: highlight = true needs Neovim 0.11 or later (tree-sitter ABI 15)", vim.log.levels.WARN)
    return false
  end
  local ok, loaded, err = pcall(vim.treesitter.language.add, "gloss")
  if ok and loaded then
    return true
  end
  notify_once(
    "parser",
    "gloss: highlight = true, but the gloss parser cannot be loaded ("
      .. tostring(ok and err or loaded)
      .. "); build parser/gloss.so as editors/nvim/README.md shows",
    vim.log.levels.WARN
  )
  return false
end

--- Starts the gloss highlighter in a note. The gloss parser is given to this
--- buffer only; it is not registered as markdown's language, so markdown's
--- ftplugin (`]]`, `[[`, `gO`, which parse with the markdown parser) and
--- LSP hover floats (filetype markdown, buftype nofile) keep markdown.
function M.highlight(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  if vim.bo[bufnr].buftype ~= "" or not parser_available() then
    return
  end
  local active = vim.treesitter.highlighter.active[bufnr]
  if active ~= nil and active.tree:lang() == "gloss" then
    return -- FileType again (`:edit`, `:setfiletype`): already highlighting
  end
  -- The highlighter clears 'syntax'; the grammar captures links, citations,
  -- headings and code but leaves emphasis, tables and the like as text, so
  -- keep markdown's regex syntax (when there was one) underneath.
  local syntax = vim.bo[bufnr].syntax
  vim.treesitter.start(bufnr, "gloss")
  vim.bo[bufnr].syntax = syntax
end

--- The client configuration shared by 0.7-0.10.
local function client_config(root)
  return {
    name = "gloss",
    cmd = M.options.cmd,
    root_dir = root,
    init_options = M.options.settings,
    settings = { gloss = M.options.settings },
    on_attach = on_attach,
  }
end

local clients_by_root = {} -- 0.7 only: root -> client id

local function attach_0_7(bufnr)
  if not M.check_cmd(M.options.cmd) then
    return
  end
  local root = M.buffer_root(bufnr)
  local id = clients_by_root[root]
  if id == nil or vim.lsp.get_client_by_id(id) == nil or vim.lsp.client_is_stopped(id) then
    local config = client_config(root)
    config.workspace_folders = { { uri = vim.uri_from_fname(root), name = root } }
    id = vim.lsp.start_client(config)
    if id == nil then
      notify_once("start", "gloss: could not start " .. table.concat(M.options.cmd, " "), vim.log.levels.ERROR)
      return
    end
    clients_by_root[root] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
end

local function attach_0_8(bufnr)
  if M.check_cmd(M.options.cmd) then
    vim.lsp.start(client_config(M.buffer_root(bufnr)), { bufnr = bufnr })
  end
end

local function enable_0_11(opts, group)
  -- Only what setup was given: the defaults are in lsp/gloss.lua, and a cmd
  -- or filetypes set with vim.lsp.config("gloss", …) must survive a setup()
  -- that does not name them.
  local config = {}
  config.cmd = opts.cmd
  config.filetypes = opts.filetypes
  if opts.settings ~= nil then
    config.init_options = opts.settings
    config.settings = { gloss = opts.settings }
  end
  if M.effective_config().root_dir == nil then
    -- lua/ copied without lsp/: bring the root rule along.
    config.root_dir = function(bufnr, on_dir)
      on_dir(M.buffer_root(bufnr))
    end
  end
  vim.lsp.config("gloss", config)
  -- Keymaps through LspAttach rather than on_attach, which would replace an
  -- on_attach of the user's vim.lsp.config.
  vim.api.nvim_create_autocmd("LspAttach", {
    group = group,
    callback = function(args)
      local client = vim.lsp.get_client_by_id(args.data.client_id)
      if client ~= nil and client.name == "gloss" then
        attached(args.buf)
      end
    end,
  })
  local check = M.watch_binary()
  vim.lsp.enable("gloss")
  -- Notes opened before setup ran: vim.lsp.enable attached them, check the
  -- binary here.
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    check(bufnr)
  end
end

--- Starts attaching gloss to the configured filetypes.
function M.setup(opts)
  opts = opts or {}
  M.options = vim.tbl_deep_extend("force", vim.deepcopy(M.defaults), opts)
  local group = vim.api.nvim_create_augroup("gloss", { clear = true })
  set_token_highlights()
  -- A colour scheme clears every group it does not define.
  vim.api.nvim_create_autocmd("ColorScheme", { group = group, callback = set_token_highlights })
  local attach
  if has_0_11 then
    enable_0_11(opts, group)
  else
    attach = vim.fn.has("nvim-0.8") == 1 and attach_0_8 or attach_0_7
  end
  local filetypes = M.effective_config().filetypes or M.options.filetypes
  local function on_note(bufnr)
    if attach ~= nil then
      attach(bufnr)
    end
    if M.options.highlight then
      M.highlight(bufnr)
    end
  end
  if attach == nil and not M.options.highlight then
    return
  end
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = filetypes,
    callback = function(args)
      if vim.bo[args.buf].buftype == "" then
        on_note(args.buf)
      end
    end,
  })
  -- Buffers opened before setup ran.
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if is_note(bufnr, filetypes) then
      on_note(bufnr)
    end
  end
end

return M
