/**
 * @file Grammar of gloss research notes: the part of Markdown that gloss reads.
 * @license MIT
 *
 * Design (see README.md in this folder for the user-facing reference):
 *
 * - The grammar is line-oriented. A document is a flat sequence of blocks, one
 *   per line (a fenced code block or front matter spans several). Nesting of
 *   lists and sections is recovered from indentation and heading levels by the
 *   Rust extractor, which is cheaper than asking the parser to track it.
 * - Inline constructs (concept links, citations, code spans, links, comments)
 *   are single tokens matched by regular expressions that already contain their
 *   closing delimiter. An unclosed `[[` therefore never enters an error state:
 *   it is simply text. The parser never needs error recovery on any input.
 * - Plain text is lexed in long runs; it stops only before a character that may
 *   begin an inline construct. That keeps the token count, and so the parse
 *   time, close to one or two tokens a line.
 */

// Characters that can begin an inline construct. A run of text stops before
// each of them; when no construct matches there, the character is a one-char
// text token of its own.
const SPECIAL = '\\[!`@<\\\\';

// A character after which `@` does not start a citation: anything but
// whitespace and punctuation. This keeps `someone@example.com` and `参见@key`
// as text, while `(@key)`, `，@key` and ` @key` are citations.
const WORD_BEFORE_AT = /[^\s\[\](){}<>,;:.!?"'`、，。：；（）【】「」《》！？@\\]@/;

// Pandoc citation keys: a letter, digit or `_`, then alphanumerics with single
// internal punctuation from `:.#$%&-+?<>~/`. gloss deliberately admits only
// Latin letters (ASCII and Latin-1/Extended-A/B), so a CJK character ends the
// key: `@wei2022提出` cites `wei2022`.
const KEY_CHAR = /[A-Za-z0-9_\u00C0-\u024F]/;
const KEY = seq(
  repeat1(KEY_CHAR),
  repeat(seq(/[:.#$%&\-+?<>~\/]/, repeat1(KEY_CHAR))),
);

module.exports = grammar({
  name: 'gloss',

  // The external scanner (src/scanner.c) handles what a regular expression
  // cannot: front matter only at the start of the file, fenced code blocks
  // closed by a fence of the same character and at least the same length, and
  // the end of a file that lacks a final newline.
  externals: $ => [
    $.front_matter,
    $._fence_open,
    $.code_content,
    $._fence_close,
    $._eof,
    // Never used in a rule: it is valid only during error recovery, which
    // tells the scanner to step aside.
    $._error_sentinel,
  ],

  // Whitespace is significant at the start of a line (list nesting), so
  // nothing is skipped implicitly.
  extras: _ => [],

  rules: {
    // Blocks before the first heading, then one section per heading. The
    // sections exist for incremental parsing: a long note becomes a tree of
    // sections instead of one flat run of thousands of lines, so an edit
    // re-parses one section, not the whole note. Heading levels do not nest
    // here; the extractor reads them.
    document: $ => seq(
      optional(seq($.front_matter, $._line_end)),
      repeat($._block),
      repeat($.section),
    ),

    section: $ => seq($.heading, repeat($._block)),

    _block: $ => choice(
      $.list_item,
      $.block_quote,
      $.definition,
      $.fenced_code,
      $.line,
      $._newline,
    ),

    heading: $ => seq(
      field('marker', $.heading_marker),
      repeat($._inline),
      $._line_end,
    ),

    // A list item's first line, or a fenced code block that starts right
    // after the marker (`- ```python`): without this, the fence's closing
    // line would open a fence that runs to the end of the note.
    list_item: $ => seq(
      field('marker', $.list_marker),
      choice(
        $.fenced_code,
        seq(repeat($._inline), $._line_end),
      ),
    ),

    block_quote: $ => seq(
      field('marker', $.quote_marker),
      repeat($._inline),
      $._line_end,
    ),

    // Pandoc definition list: the `: definition` line; its term is the line
    // before, which the extractor reads.
    definition: $ => seq(
      field('marker', $.definition_marker),
      repeat($._inline),
      $._line_end,
    ),

    fenced_code: $ => seq(
      $._fence_open,
      optional(field('info', $.info_string)),
      $._line_end,
      optional($.code_content),
      optional(seq($._fence_close, $._line_end)),
    ),

    line: $ => seq(repeat1($._inline), $._line_end),

    // Block markers have precedence 1 over text (precedence 0). Tree-sitter's
    // lexer prefers a completed higher-precedence token over a longer
    // lower-precedence one, so `- item` is a marker followed by text, while
    // `-item` stays text.
    heading_marker: _ => token(prec(1, /[ \t]{0,3}#{1,6}[ \t]+/)),
    list_marker: _ => token(prec(1, /[ \t]*([-*+•]|[0-9]{1,9}[.)])[ \t]+/)),
    quote_marker: _ => token(prec(1, /[ \t]*>[ \t]?/)),
    definition_marker: _ => token(prec(1, /[ \t]{0,3}[:~][ \t]+/)),
    info_string: _ => /[^\r\n]+/,

    _inline: $ => choice(
      $.text,
      $.wiki_link,
      $.embed,
      $.inline_link,
      $.citation_group,
      $.citation,
      $.code_span,
      $.html_comment,
    ),

    text: _ => token(choice(
      repeat1(choice(
        new RegExp(`[^\\r\\n${SPECIAL}]`),
        /\\[^\r\n]/, // a backslash escape, e.g. `\[[` or `\@`
        /![^\r\n\[`@<\\]/, // `!` not starting an embed or image
        /<[^\r\n!\[`@\\]/, // `<` not starting a comment
        WORD_BEFORE_AT,
      )),
      new RegExp(`[${SPECIAL}]`),
    )),

    // `[[Target]]`, `[[Target#Heading|label]]`; no brackets or line breaks
    // inside, so an unclosed `[[` is text.
    wiki_link: _ => token(/\[\[[^\[\]\r\n]*\]\]/),
    embed: _ => token(/!\[\[[^\[\]\r\n]*\]\]/),

    // `[text](destination)` and `![alt](image)`. The destination may hold
    // balanced parentheses one level deep, as CommonMark allows:
    // `[x](a.md#Scan%20[y](b.md))` is one link, not a link inside text.
    inline_link: _ => token(/!?\[[^\[\]\r\n]*\]\(([^()\r\n]|\([^()\r\n]*\))*\)/),

    // `[see @a, p. 3; @b]`: brackets holding an `@`. The extractor splits the
    // items and drops groups with no valid key (`[mail a@b.org]`).
    citation_group: _ => token(/\[[^\[\]\r\n]*@[^\[\]\r\n]*\]/),

    // A bare `@key` or `@{key with anything}`. A braced key stops at the
    // next `@`: otherwise a line of `@{` without `}` would be rescanned to
    // its end from every `@`, which is quadratic in the line's length.
    citation: _ => token(seq('@', choice(KEY, /\{[^}@\r\n]*\}/))),

    code_span: _ => token(choice(
      /`[^`\r\n]+`/,
      /``([^`\r\n]|`[^`\r\n])+``/,
    )),

    // May span lines; `<!-- gloss-ignore: code -->` is read from here.
    html_comment: _ => token(/<!--([^-]|-[^-])*-->/),

    _line_end: $ => choice($._newline, $._eof),
    _newline: _ => /\r\n|\n|\r/,
  },
});
