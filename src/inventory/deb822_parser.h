// Deb822Parser splits text in Debian's control-file format (deb822: dpkg's
// status file, apt's .sources files, Release/InRelease files) into
// paragraphs of fields. It knows the syntax only, not what any field means;
// the dpkg status reader, apt_sources and others interpret the fields.
//
// Syntax, as deb822(5) describes it:
//   paragraph  := field+            (paragraphs are separated by blank lines)
//   field      := Name ":" value NL continuation*
//   continuation := (" " | "\t") text NL   (" ." stands for an empty line)
//   "#" at the start of a line is a comment (allowed in .sources files).
// The parser is lenient so a damaged file still yields what can be read: a
// line that is neither a field nor a continuation is skipped, a truncated
// last paragraph is returned as far as it goes, CRLF line ends are accepted.
// It never fails; callers decide whether what came out is usable.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace warden {

struct Deb822Paragraph {
  // Fields in file order; names as written.
  std::vector<std::pair<std::string, std::string>> fields;
  size_t line = 0;  // 1-based line number of the paragraph's first field

  // The value of a field (names compare case-insensitively, as in deb822),
  // or nullptr. The first line's text is trimmed; continuation lines follow
  // after "\n" with their one leading space removed.
  const std::string* Find(std::string_view name) const;
  // The value, or "" when absent.
  std::string Get(std::string_view name) const;
  // The value's first line only.
  std::string FirstLine(std::string_view name) const;
};

std::vector<Deb822Paragraph> ParseDeb822(std::string_view text);

// Case-insensitive ASCII comparison of field names.
bool Deb822NameEquals(std::string_view a, std::string_view b);

}  // namespace warden
