// Splitting a line of the classic /etc databases (hosts, services,
// protocols) into its data and its trailing "# comment", the way osquery's
// etc_* tables present comments. Pure functions over text.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace warden {

struct LineAndComment {
  std::string_view data;               // the text before the first '#'
  std::optional<std::string> comment;  // NULL when there is none
};

// The comment is everything after the first '#', split on further '#'s,
// each piece trimmed, empty pieces dropped and the rest joined with " # "
// (osquery's presentation); nullopt when nothing is left.
LineAndComment SplitLineComment(std::string_view line);

}  // namespace warden
