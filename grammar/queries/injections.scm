; Front matter is YAML; the delimiters are YAML document markers, so the whole
; node parses as YAML.
((front_matter) @injection.content
  (#set! injection.language "yaml"))

; Fenced code in the language named by its info string.
(fenced_code
  (info_string) @injection.language
  (code_content) @injection.content)
