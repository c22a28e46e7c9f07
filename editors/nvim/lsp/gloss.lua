-- Neovim 0.11+: `vim.lsp.enable("gloss")` finds this file on 'runtimepath'.
-- `require("gloss").setup()` does the same and also takes options.
return {
  cmd = { "gloss", "lsp" },
  filetypes = { "markdown" },
  root_markers = { "gloss.toml", ".git" },
}
