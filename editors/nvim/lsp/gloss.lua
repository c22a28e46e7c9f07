-- Neovim 0.11+: `vim.lsp.enable("gloss")` finds this file on 'runtimepath'.
-- `require("gloss").setup()` does the same and also takes options.
return {
  cmd = { "gloss", "lsp" },
  filetypes = { "markdown" },
  -- A function rather than root_markers: the root rule is the CLI's (the
  -- nearest gloss.toml or .obsidian/ below the nearest .git, else that .git
  -- folder, else the note's own folder), which root_markers cannot express.
  root_dir = function(bufnr, on_dir)
    on_dir(require("gloss").buffer_root(bufnr))
  end,
}
