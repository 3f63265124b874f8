// etc_hosts: the static host name table /etc/hosts, one row per address line:
// the address and its names joined by single spaces ("" when a line has an
// address and no names, as osquery shows it). A '#' starts a comment anywhere
// on a line, as for the resolver (osquery only honours it at the start of a
// word). pid_with_namespace = N reads the file as process N sees it
// (/proc/N/root/etc/hosts); otherwise the column is 0, as in osquery.
#include "core/strings.h"
#include "tables/etc_file_comments.h"
#include "tables/network_tables.h"
#include "tables/pid_namespace_roots.h"

namespace warden {
namespace {

Status GenerateEtcHosts(const QueryContext& ctx, RowWriter& out) {
  for (const auto& root : NamespaceRootsToRead(ctx)) {
    (void)ForEachLineInRoot(ctx, root, "/etc/hosts", [&](std::string_view line) {
      auto words = SplitWhitespace(SplitLineComment(line).data);
      if (words.empty()) return true;
      std::string hostnames;
      for (size_t i = 1; i < words.size(); ++i) {
        if (i > 1) hostnames += ' ';
        hostnames += words[i];
      }
      Row& row = out.Add();
      row.Set("address", words[0]);
      row.Set("hostnames", hostnames);
      row.Set("pid_with_namespace", root.pid);
      return true;
    });
  }
  return Status::Ok();
}

}  // namespace

void RegisterEtcHostsTable(TableRegistry& r) {
  TableSchema schema{"etc_hosts",
                     "Line-parsed /etc/hosts: addresses and their host names.",
                     {{"address", ColumnType::kText, kNone, "", "IP address mapping"},
                      {"hostnames", ColumnType::kText, kNone, "", "Raw hosts mapping"},
                      {"pid_with_namespace", ColumnType::kInteger,
                       kHidden | kAdditional | kEchoInput, "", "Pids that contain a namespace"}}};
  schema.aliases = {"hosts"};
  r.Add(std::move(schema), GenerateEtcHosts);
}

}  // namespace warden
