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

(citation) @string.special.symbol
(citation_group) @string.special.symbol

; Quarto cross-references look like citations but are not.
((citation) @markup.link.label
  (#match? @markup.link.label "^@(fig|tbl|sec|eq|lst|thm|lem|cor|prp|cnj|def|exm|exr|sol|rem|alg)-"))

(code_span) @markup.raw
(fenced_code) @markup.raw.block
(info_string) @label

(html_comment) @comment
(front_matter) @markup.raw.block
