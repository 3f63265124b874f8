// etc_protocols: the IP protocol numbers database /etc/protocols, one row per
// "name number [aliases...] [# comment]" line, with osquery's values: the
// comment without its '#' (NULL when none). alias holds the line's aliases
// joined by single spaces (osquery keeps only the first; Debian's file never
// has more than one) and is NULL when there is none. Lines whose number is
// not a number are skipped.
#include "core/strings.h"
#include "tables/etc_file_comments.h"
#include "tables/network_tables.h"

namespace warden {
namespace {

Status GenerateEtcProtocols(const QueryContext& ctx, RowWriter& out) {
  (void)ctx.fs().ForEachLine("/etc/protocols", [&](std::string_view line) {
    if (StartsWith(line, "#")) return true;
    LineAndComment split = SplitLineComment(line);
    auto words = SplitWhitespace(split.data);
    int64_t number = 0;
    if (words.size() < 2 || !ParseInt64(words[1], &number) || number < 0) {
      return true;
    }
    std::optional<std::string> alias;
    for (size_t i = 2; i < words.size(); ++i) {
      if (!alias)
        alias.emplace();
      else
        *alias += ' ';
      *alias += words[i];
    }
    Row& row = out.Add();
    row.Set("name", words[0]);
    row.Set("number", number);
    row.Set("alias", alias);
    row.Set("comment", split.comment);
    return true;
  });
  return Status::Ok();
}

}  // namespace

void RegisterEtcProtocolsTable(TableRegistry& r) {
  r.Add(
      TableSchema{"etc_protocols",
                  "Line-parsed /etc/protocols: IP protocol names and numbers.",
                  {{"name", ColumnType::kText, kNone, "", "Protocol name"},
                   {"number", ColumnType::kInteger, kNone, "", "Protocol number"},
                   {"alias", ColumnType::kText, kNone, "", "Protocol alias"},
                   {"comment", ColumnType::kText, kNone, "", "Comment with protocol description"}}},
      GenerateEtcProtocols);
}

}  // namespace warden
