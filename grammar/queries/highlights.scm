; Highlights for gloss notes. Capture names follow nvim-treesitter's
; conventions (markup.*, string.special.*), which Helix and Zed share.

(heading) @markup.heading
(heading_marker) @punctuation.special

(list_marker) @markup.list
(quote_marker) @punctuation.special
(definition_marker) @punctuation.special
(block_quote) @markup.quote

(wiki_link) @markup.link
(embed) @markup.link
(inline_link) @markup.link.url

(citation_group) @string.special.symbol

; Quarto cross-references (`@fig-…`, the prefixes of QUARTO_PREFIXES in
; server/src/syntax/citation.rs) look like citations but are not. The two
; patterns exclude each other, so the result does not depend on whether an
; editor lets the first or the last match win. The regex must mean the same
; to Rust's regex crate (Helix, Zed) and to Neovim, which reads it as a
; very-magic Vim regex: a bare `@` is an operator there, hence `[@]`.
((citation) @string.special.symbol
  (#not-match? @string.special.symbol "^[@](fig|tbl|lst|tip|nte|wrn|imp|cau|thm|lem|cor|prp|cnj|def|exm|exr|sol|rem|eq|sec|alg)-."))
((citation) @markup.link.label
  (#match? @markup.link.label "^[@](fig|tbl|lst|tip|nte|wrn|imp|cau|thm|lem|cor|prp|cnj|def|exm|exr|sol|rem|eq|sec|alg)-."))

(code_span) @markup.raw
(math) @markup.math
(fenced_code) @markup.raw.block
(info_string) @label

(html_comment) @comment
(obsidian_comment) @comment
(raw_tex) @function.macro
(front_matter) @markup.raw.block
