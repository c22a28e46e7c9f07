-- gloss for Neovim: attaches `gloss lsp` to Markdown buffers, one client per
-- root. All intelligence lives in the server; this file only picks the right
-- client API for the running Neovim:
--   0.11+     vim.lsp.config + vim.lsp.enable
--   0.8-0.10  vim.lsp.start (reuses a client with the same name and root)
--   0.7       vim.lsp.start_client + vim.lsp.buf_attach_client

local M = {}

M.defaults = {
  cmd = { "gloss", "lsp" },
  filetypes = { "markdown" },
  root_markers = { "gloss.toml", ".git" },
  -- Sent as initializationOptions, e.g. { hover = { mentions = false } }.
  settings = {},
  -- true: buffer-local K, gd and gr for hover, definition and references.
  keymaps = false,
}

--- The options given to the last `setup`, merged over the defaults.
M.options = vim.deepcopy(M.defaults)

local uv = vim.loop

--- The nearest ancestor folder of `path` holding one of `markers`, else the
--- folder of `path` itself.
function M.find_root(path, markers)
  local dir = vim.fn.fnamemodify(path, ":p:h")
  local current = dir
  while true do
    for _, marker in ipairs(markers) do
      if uv.fs_stat(current .. "/" .. marker) then
        return current
      end
    end
    local parent = vim.fn.fnamemodify(current, ":h")
    if parent == current then
      return dir
    end
    current = parent
  end
end

local function buffer_root(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == "" then
    return uv.cwd()
  end
  return M.find_root(name, M.options.root_markers)
end

local function set_keymaps(bufnr)
  local function map(lhs, rhs, desc)
    vim.api.nvim_buf_set_keymap(bufnr, "n", lhs, "", { callback = rhs, desc = desc, noremap = true, silent = true })
  end
  map("K", vim.lsp.buf.hover, "gloss: hover")
  map("gd", vim.lsp.buf.definition, "gloss: go to definition")
  map("gr", vim.lsp.buf.references, "gloss: references")
end

local function on_attach(_, bufnr)
  if M.options.keymaps then
    set_keymaps(bufnr)
  end
end

--- The client configuration shared by every Neovim version.
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
  local root = buffer_root(bufnr)
  local id = clients_by_root[root]
  if id == nil or vim.lsp.get_client_by_id(id) == nil or vim.lsp.client_is_stopped(id) then
    local config = client_config(root)
    config.workspace_folders = { { uri = vim.uri_from_fname(root), name = root } }
    id = vim.lsp.start_client(config)
    if id == nil then
      vim.notify("gloss: could not start " .. table.concat(M.options.cmd, " "), vim.log.levels.ERROR)
      return
    end
    clients_by_root[root] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
end

local function attach_0_8(bufnr)
  vim.lsp.start(client_config(buffer_root(bufnr)), { bufnr = bufnr })
end

local function enable_0_11()
  local config = client_config(nil)
  config.name = nil
  config.filetypes = M.options.filetypes
  -- A function, so that a note outside every marked folder still gets its
  -- own folder as root (as on older versions) instead of no root at all.
  config.root_dir = function(bufnr, on_dir)
    on_dir(buffer_root(bufnr))
  end
  vim.lsp.config("gloss", config)
  vim.lsp.enable("gloss")
end

--- Starts attaching gloss to the configured filetypes.
function M.setup(opts)
  M.options = vim.tbl_deep_extend("force", vim.deepcopy(M.defaults), opts or {})
  if vim.fn.has("nvim-0.11") == 1 then
    enable_0_11()
    return
  end
  local attach = vim.fn.has("nvim-0.8") == 1 and attach_0_8 or attach_0_7
  local group = vim.api.nvim_create_augroup("gloss", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = M.options.filetypes,
    callback = function(args)
      if vim.bo[args.buf].buftype == "" then
        attach(args.buf)
      end
    end,
  })
  -- Buffers opened before setup ran.
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(M.options.filetypes, vim.bo[bufnr].filetype) then
      attach(bufnr)
    end
  end
end

return M
