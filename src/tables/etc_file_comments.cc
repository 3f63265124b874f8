#include "tables/etc_file_comments.h"

#include "core/strings.h"

namespace warden {

LineAndComment SplitLineComment(std::string_view line) {
  LineAndComment split;
  size_t hash = line.find('#');
  split.data = line.substr(0, hash);
  if (hash == std::string_view::npos) return split;
  std::string comment;
  for (auto piece : SplitString(line.substr(hash + 1), '#')) {
    piece = TrimWhitespace(piece);
    if (piece.empty()) continue;
    if (!comment.empty()) comment += " # ";
    comment += piece;
  }
  if (!comment.empty()) split.comment = std::move(comment);
  return split;
}

}  // namespace warden
