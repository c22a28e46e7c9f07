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
const SPECIAL = '\\[!`@<$%\\\\';

// Characters that are not letters or digits, by ranges: a Unicode property
// class (`\p{L}`) would be exact, but its hundreds of ranges in every lexer
// state that reads text made the generated parser sixty times larger. The
// ranges below are the punctuation, symbols and spaces notes use (ASCII,
// Latin-1, general punctuation to the arrows and symbols, CJK and
// full-width punctuation, emoji); the extractor (server/src/syntax/
// citation.rs) reads keys with the exact classes.
const NON_LETTER_UNICODE =
  '\\u00A0-\\u00BF\\u00D7\\u00F7\\u2000-\\u2BFF\\u3000-\\u303F\\uFE30-\\uFE4F' +
  '\\uFF00-\\uFF0F\\uFF1A-\\uFF20\\uFF3B-\\uFF40\\uFF5B-\\uFF65\\u{1F000}-\\u{1FAFF}';
// Scripts in which a key ends (see KEY_CHAR).
const CJK =
  '\\u1100-\\u11FF\\u2E80-\\u2FDF\\u3040-\\u30FF\\u3100-\\u312F\\u3130-\\u318F' +
  '\\u31A0-\\u31FF\\u3400-\\u4DBF\\u4E00-\\u9FFF\\uA960-\\uA97F\\uAC00-\\uD7FF' +
  '\\uF900-\\uFAFF\\uFF66-\\uFFDC\\u{20000}-\\u{3FFFF}';

// A character after which `@` does not start a citation: a letter or digit
// of any script, or `.`, as in Pandoc (whose citation must not follow a
// word, and whose words take in `.`). This keeps `someone@example.com`,
// `参见@key` and `end.@key` as text, while `(@key)`, `，@key`, `-@key`,
// `_@key` and ` @key` are citations.
const WORD_CHAR =
  `[^\\x00-\\x2D\\x2F\\x3A-\\x40\\x5B-\\x60\\x7B-\\x7F${NON_LETTER_UNICODE}]`;
const WORD_BEFORE_AT = new RegExp(`${WORD_CHAR}@`, 'u');
// The same after `!`, which text takes in pairs (`!b`): `a!b@in` is no
// citation either.
const PAIR_WORD_BEFORE_AT = new RegExp(`[!]${WORD_CHAR}@`, 'u');

// Pandoc citation keys: a letter, digit or `_`, then letters, digits and
// `_` with single internal punctuation from `:.#$%&-+?<>~/` (and `//`
// after `:` or `/`, so that a URL is one key). Letters and digits are those
// of every script but the CJK ones: gloss deliberately ends a key at a CJK
// character, as Chinese and Japanese notes run text on after a key:
// `@wei2022提出` cites `wei2022`.
const KEY_CHAR = new RegExp(
  `[^\\x00-\\x2F\\x3A-\\x40\\x5B-\\x5E\\x60\\x7B-\\x7F${NON_LETTER_UNICODE}${CJK}]`,
  'u',
);
const KEY = seq(
  repeat1(KEY_CHAR),
  repeat(seq(choice(/[:.#$%&\-+?<>~\/]/, /[:\/]\/+/), repeat1(KEY_CHAR))),
);

// An HTML start or end tag, as CommonMark defines them: a name, then
// attributes (`name`, `name=value`, `name="…"`, `name='…'`).
const HTML_ATTRIBUTE =
  /[ \t]+[A-Za-z_:][A-Za-z0-9_.:\-]*([ \t]*=[ \t]*([^ \t\r\n"'=<>`\[\]]+|'[^'\r\n\[\]]*'|"[^"\r\n\[\]]*"))?/;
const HTML_TAG = choice(
  seq(/<[A-Za-z][A-Za-z0-9\-]*/, repeat(HTML_ATTRIBUTE), /[ \t]*\/?>/),
  /<\/[A-Za-z][A-Za-z0-9\-]*[ \t]*>/,
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

    // A `%%` that opens a line (after blanks) may open an Obsidian comment
    // over lines; one later in a line closes on that line. Text such as
    // `Done 100%%` then never reaches a `%%` further down (a Mermaid
    // comment in a fence, which the lexer cannot see as code from here).
    line: $ => choice(
      seq(repeat1($._inline), $._line_end),
      seq(alias($._comment_lines, $.obsidian_comment), repeat($._inline), $._line_end),
    ),

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
      $.math,
      $.html_comment,
      $.obsidian_comment,
      $.html_tag,
      $.raw_tex,
    ),

    text: _ => token(choice(
      repeat1(choice(
        new RegExp(`[^\\r\\n${SPECIAL}]`),
        // A backslash escape, e.g. `\[[` or `\@`; a letter after it starts
        // a TeX command, which may be raw TeX (`raw_tex`).
        /\\[^\r\nA-Za-z]/,
        /![^\r\n\[`@<\\]/, // `!` not starting an embed or image
        // `<` not starting a comment, a tag or an autolink
        /<[^\r\n!\[`@\\A-Za-z\/]/,
        WORD_BEFORE_AT,
        PAIR_WORD_BEFORE_AT,
        // `<测@x.y>`: `<`, a letter that starts no tag, and an `@` after
        // it, which is no citation
        new RegExp(`<[^\\x00-\\x7F${NON_LETTER_UNICODE}]@`, 'u'),
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

    // `[see @a, p. 3; @b]`: brackets holding an `@` (and escaped brackets,
    // `\[`). The extractor splits the items and reads brackets where an
    // item has no key as text (`[mail a@b.org]`).
    citation_group: _ => token(
      /\[([^\[\]\r\n\\]|\\[^\r\n])*@([^\[\]\r\n\\]|\\[^\r\n])*\]/,
    ),

    // A bare `@key` or `@{key:with/anything}` (no spaces, as in Pandoc). A
    // braced key stops at the next `@`: otherwise a line of `@{` without `}` would be rescanned to
    // its end from every `@`, which is quadratic in the line's length.
    citation: _ => token(seq('@', choice(KEY, /\{[^{}@\s]+\}/))),

    // TeX math, `$x$` and `$$x$$` on one line, as Pandoc's
    // `tex_math_dollars` reads it: an opening `$` not followed by a space,
    // a closing one not preceded by one. Nothing in it is a link or a
    // citation.
    math: _ => token(choice(
      /\$([^\s$\\]|\\[^\r\n])(([^$\r\n\\]|\\[^\r\n])*([^\s$\\]|\\[^\r\n]))?\$/,
      /\$\$([^$\r\n\\]|\\[^\r\n]|\$[^$\r\n])+\$\$/,
    )),

    // Raw HTML tags and autolinks, whose `@` is no citation
    // (`<span title="@x">`, `<a@b.org>`, `<https://x.org/@me>`). No
    // brackets inside: `<see [[Note]]>` keeps its link.
    html_tag: _ => token(choice(
      HTML_TAG,
      /<[A-Za-z][A-Za-z0-9+.\-]+:[^\s<>\[\]]*>/,
      /<[^\s<>@\[\]]+@[^\s<>\[\]]+>/,
    )),

    // Closed by a run of as many backticks, which the content cannot
    // hold: ``` `` `code` `` ``` is one span, as in CommonMark (a shorter
    // span inside it would leave the rest of the line out of sync).
    code_span: _ => token(choice(
      /`[^`\r\n]+`/,
      /``([^`\r\n]|`[^`\r\n])+``/,
      /```([^`\r\n]|`[^`\r\n]|``[^`\r\n])+```/,
    )),

    // May span lines; `<!-- gloss-ignore: code -->` is read from here.
    html_comment: _ => token(/<!--([^-]|-[^-])*-->/),

    // A raw TeX command with its arguments, `\\index{a@b}`: Pandoc
    // passes it on as TeX, so nothing in it is a citation or a link.
    raw_tex: _ => token(
      /\\[A-Za-z]+(\[[^\[\]\r\n]*\])?(\{([^{}\r\n]|\{[^{}\r\n]*\})*\})+/,
    ),

    // Obsidian's `%%hidden%%`: Obsidian reads no link, heading or block id
    // inside. On one line; over lines from the start of a line (`line`).
    // An unclosed `%%` is text.
    obsidian_comment: _ => token(/%%([^%\r\n]|%[^%\r\n])*%%/),
    _comment_lines: _ => token(/[ \t]*%%([^%]|%[^%])*%%/),

    _line_end: $ => choice($._newline, $._eof),
    _newline: _ => /\r\n|\n|\r/,
  },
});
