// etc_services: the network services database /etc/services, one row per
// "name port/protocol [aliases...] [# comment]" line, with osquery's values:
// aliases joined by single spaces ("" when none), the comment without its
// '#' (NULL when none). Lines that do not parse (no port, a port that is not
// a number, no "/protocol") are skipped, not errors.
#include "core/strings.h"
#include "tables/etc_file_comments.h"
#include "tables/network_tables.h"

namespace warden {
namespace {

Status GenerateEtcServices(const QueryContext& ctx, RowWriter& out) {
  (void)ctx.fs().ForEachLine("/etc/services", [&](std::string_view line) {
    if (StartsWith(line, "#")) return true;
    LineAndComment split = SplitLineComment(line);
    auto words = SplitWhitespace(split.data);
    if (words.size() < 2) return true;
    auto port_protocol = SplitString(words[1], '/');
    int64_t port = 0;
    if (port_protocol.size() != 2 || port_protocol[1].empty() ||
        !ParseInt64(port_protocol[0], &port) || port < 0 || port > 65535) {
      return true;
    }
    std::string aliases;
    for (size_t i = 2; i < words.size(); ++i) {
      if (i > 2) aliases += ' ';
      aliases += words[i];
    }
    Row& row = out.Add();
    row.Set("name", words[0]);
    row.Set("port", port);
    row.Set("protocol", port_protocol[1]);
    row.Set("aliases", aliases);
    row.Set("comment", split.comment);
    return true;
  });
  return Status::Ok();
}

}  // namespace

void RegisterEtcServicesTable(TableRegistry& r) {
  r.Add(TableSchema{"etc_services",
                    "Line-parsed /etc/services: service names and their ports.",
                    {{"name", ColumnType::kText, kNone, "", "Service name"},
                     {"port", ColumnType::kInteger, kNone, "", "Service port number"},
                     {"protocol", ColumnType::kText, kNone, "", "Transport protocol (TCP/UDP)"},
                     {"aliases", ColumnType::kText, kNone, "",
                      "Optional space separated list of other names for a service"},
                     {"comment", ColumnType::kText, kNone, "", "Optional comment for a service."}}},
        GenerateEtcServices);
}

}  // namespace warden
