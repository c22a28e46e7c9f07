// External scanner for the gloss note grammar.
//
// It recognises the few constructs a context-free lexer cannot:
// - `front_matter`: a `---` line at the very start of the file through the
//   next `---` (or `...`) line. Without a closing line it is not front matter.
// - fenced code: an opening fence of three or more backticks or tildes, the
//   content lines, and a closing fence of the same character that is at least
//   as long (CommonMark). An unclosed fence runs to the end of the file, or,
//   inside a list item, to the end of the item.
// - `_eof`: a zero-width line end for a last line without a newline.

#include "tree_sitter/parser.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum TokenType {
  FRONT_MATTER,
  FENCE_OPEN,
  CODE_CONTENT,
  FENCE_CLOSE,
  END_OF_FILE,
  ERROR_SENTINEL,
};

// The open fence, if any. It is the scanner's only state, so serialisation is
// a plain copy of this struct.
typedef struct {
  int32_t fence_char;  // '`' or '~'; 0 when no fence is open
  uint32_t fence_len;
  // The fence's column. At four or more the fence is inside a list item (at
  // the top level, four spaces make indented code, not a fence), and a
  // non-blank line less indented than any list item's content (at column 0
  // or 1) ends the item, and the fence with it, as in CommonMark: a fence
  // left unclosed in a list item does not swallow the rest of the note.
  uint32_t fence_column;
} Scanner;

// The column at which a fence is inside a list item, and the indentation
// below which a line ends any list item.
#define LIST_FENCE_COLUMN 4
#define LIST_CONTENT_COLUMN 2

static inline void advance(TSLexer *lexer) { lexer->advance(lexer, false); }

static inline bool is_newline(int32_t c) { return c == '\n' || c == '\r'; }

static inline bool is_blank(int32_t c) { return c == ' ' || c == '\t'; }

static void skip_blanks(TSLexer *lexer) {
  while (is_blank(lexer->lookahead)) advance(lexer);
}

// Skips the blanks at the start of a line; returns their width, a tab
// counting as four.
static uint32_t skip_indentation(TSLexer *lexer) {
  uint32_t width = 0;
  while (is_blank(lexer->lookahead)) {
    width += lexer->lookahead == '\t' ? 4 : 1;
    advance(lexer);
  }
  return width;
}

static void advance_past_line(TSLexer *lexer) {
  while (!lexer->eof(lexer) && !is_newline(lexer->lookahead)) advance(lexer);
  if (lexer->lookahead == '\r') advance(lexer);
  if (lexer->lookahead == '\n') advance(lexer);
}

static uint32_t count_run(TSLexer *lexer, int32_t c) {
  uint32_t n = 0;
  while (lexer->lookahead == c && !lexer->eof(lexer)) {
    advance(lexer);
    n++;
  }
  return n;
}

// Reads a delimiter line of front matter (`---` or `...`) made of three
// `c`s and optional trailing blanks. Consumes what it reads.
static bool delimiter_line(TSLexer *lexer, int32_t c) {
  if (count_run(lexer, c) != 3) return false;
  skip_blanks(lexer);
  return lexer->eof(lexer) || is_newline(lexer->lookahead);
}

static bool scan_front_matter(TSLexer *lexer) {
  // A byte-order mark may precede it.
  if (lexer->lookahead == 0xFEFF) advance(lexer);
  if (!delimiter_line(lexer, '-')) return false;
  advance_past_line(lexer);
  while (!lexer->eof(lexer)) {
    int32_t c = lexer->lookahead;
    if ((c == '-' || c == '.') && delimiter_line(lexer, c)) {
      lexer->mark_end(lexer);
      lexer->result_symbol = FRONT_MATTER;
      return true;
    }
    advance_past_line(lexer);
  }
  return false;
}

static bool scan_fence_open(Scanner *s, TSLexer *lexer) {
  // After a list marker (`- ```python`) the marker's width counts; a tab
  // of the indentation counts four, as a list nested with tabs has it.
  uint32_t column = lexer->get_column(lexer);
  column += skip_indentation(lexer);
  int32_t c = lexer->lookahead;
  if (c != '`' && c != '~') return false;
  uint32_t n = count_run(lexer, c);
  if (n < 3) return false;
  lexer->mark_end(lexer);
  // A backtick fence's info string may not contain a backtick; this keeps a
  // line such as ```` ```code``` ```` an inline code span, as in CommonMark.
  if (c == '`') {
    while (!lexer->eof(lexer) && !is_newline(lexer->lookahead)) {
      if (lexer->lookahead == '`') return false;
      advance(lexer);
    }
  }
  s->fence_char = c;
  s->fence_len = n;
  s->fence_column = column;
  lexer->result_symbol = FENCE_OPEN;
  return true;
}

// Called at the start of a line inside an open fence: either the closing
// fence, or the content up to (not including) the closing fence or the end of
// the file.
static bool scan_code(Scanner *s, TSLexer *lexer) {
  bool consumed = false;
  while (!lexer->eof(lexer)) {
    lexer->mark_end(lexer);
    uint32_t indent = skip_indentation(lexer);
    bool at_margin = s->fence_column >= LIST_FENCE_COLUMN && indent < LIST_CONTENT_COLUMN &&
                     !lexer->eof(lexer) && !is_newline(lexer->lookahead);
    // A closing fence closes, even one written at the margin (CommonMark
    // would end the list item there and open a fence that swallows the
    // rest of the note).
    if (count_run(lexer, s->fence_char) >= s->fence_len) {
      if (!consumed) lexer->mark_end(lexer);
      skip_blanks(lexer);
      if (lexer->eof(lexer) || is_newline(lexer->lookahead)) {
        if (consumed) {
          lexer->result_symbol = CODE_CONTENT;
        } else {
          s->fence_char = 0;
          s->fence_len = 0;
          s->fence_column = 0;
          lexer->result_symbol = FENCE_CLOSE;
        }
        return true;
      }
    }
    // Any other line at the margin ends the list item, and the fence with
    // it: the content ends where the line starts, empty if the fence's
    // first line is that line. (Returning false instead loses the closed
    // state, which tree-sitter restores before the next scan: a fresh parse
    // then read the line as text, an incremental one as the fence it opens.)
    if (at_margin) {
      s->fence_char = 0;
      s->fence_len = 0;
      s->fence_column = 0;
      lexer->result_symbol = CODE_CONTENT;
      return true;
    }
    advance_past_line(lexer);
    consumed = true;
  }
  if (!consumed) return false;
  lexer->mark_end(lexer);
  s->fence_char = 0;
  s->fence_len = 0;
  s->fence_column = 0;
  lexer->result_symbol = CODE_CONTENT;
  return true;
}

void *tree_sitter_gloss_external_scanner_create(void) {
  return calloc(1, sizeof(Scanner));
}

void tree_sitter_gloss_external_scanner_destroy(void *payload) { free(payload); }

unsigned tree_sitter_gloss_external_scanner_serialize(void *payload, char *buffer) {
  memcpy(buffer, payload, sizeof(Scanner));
  return sizeof(Scanner);
}

void tree_sitter_gloss_external_scanner_deserialize(void *payload, const char *buffer,
                                                    unsigned length) {
  Scanner *s = payload;
  if (length == sizeof(Scanner)) {
    memcpy(s, buffer, sizeof(Scanner));
  } else {
    s->fence_char = 0;
    s->fence_len = 0;
    s->fence_column = 0;
  }
}

bool tree_sitter_gloss_external_scanner_scan(void *payload, TSLexer *lexer,
                                             const bool *valid_symbols) {
  Scanner *s = payload;
  // During error recovery every symbol is valid; the internal lexer copes
  // better there than guesses from here.
  if (valid_symbols[ERROR_SENTINEL]) return false;

  if ((valid_symbols[CODE_CONTENT] || valid_symbols[FENCE_CLOSE]) && s->fence_char != 0) {
    return scan_code(s, lexer);
  }
  if (valid_symbols[END_OF_FILE] && lexer->eof(lexer)) {
    lexer->result_symbol = END_OF_FILE;
    return true;
  }
  int32_t c = lexer->lookahead;
  if (valid_symbols[FRONT_MATTER] && (c == '-' || c == 0xFEFF)) {
    return scan_front_matter(lexer);
  }
  if (valid_symbols[FENCE_OPEN] && (c == '`' || c == '~' || is_blank(c))) {
    return scan_fence_open(s, lexer);
  }
  return false;
}
