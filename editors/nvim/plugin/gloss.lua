-- Sourced at startup when this folder is on 'runtimepath'. On Neovim 0.11+,
-- `vim.lsp.enable("gloss")` alone skips a config whose cmd is not executable
-- and says so only in its log: tell the user once, when the first note
-- opens. Everything else waits for `vim.lsp.enable` or `require("gloss").setup`.
if vim.g.loaded_gloss ~= nil or vim.fn.has("nvim-0.11") == 0 then
  return
end
vim.g.loaded_gloss = true

require("gloss").watch_binary()
