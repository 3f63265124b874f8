// Every table the foundation issue names exists, and every table that osquery
// also has matches osquery's schema column for column: same names, same
// order, same types, same hidden and required flags. Warden-only columns may
// only follow osquery's. The reference is osquery's own schema export
// (tests/fixtures/osquery-tables.json).
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "cli/host_session.h"
#include "sql/table.h"
#include "testing/test_util.h"

namespace warden {
namespace {

const char* const kRequiredTables[] = {"processes",
                                       "process_envs",
                                       "process_open_files",
                                       "process_open_sockets",
                                       "process_open_pipes",
                                       "process_memory_map",
                                       "process_namespaces",
                                       "listening_ports",
                                       "users",
                                       "groups",
                                       "user_groups",
                                       "logged_in_users",
                                       "last",
                                       "shadow",
                                       "sudoers",
                                       "authorized_keys",
                                       "user_ssh_keys",
                                       "known_hosts",
                                       "shell_history",
                                       "suid_bin",
                                       "crontab",
                                       "deb_packages",
                                       "deb_package_files",
                                       "rpm_packages",
                                       "rpm_package_files",
                                       "apt_sources",
                                       "yum_sources",
                                       "python_packages",
                                       "npm_packages",
                                       "os_version",
                                       "system_info",
                                       "platform_info",
                                       "kernel_info",
                                       "kernel_modules",
                                       "uptime",
                                       "time",
                                       "load_average",
                                       "memory_info",
                                       "cpu_time",
                                       "cpu_info",
                                       "cpuid",
                                       "system_controls",
                                       "ulimit_info",
                                       "mounts",
                                       "block_devices",
                                       "disk_encryption",
                                       "pci_devices",
                                       "usb_devices",
                                       "acpi_tables",
                                       "smbios_tables",
                                       "interface_addresses",
                                       "interface_details",
                                       "interface_ipv6",
                                       "routes",
                                       "arp_cache",
                                       "dns_resolvers",
                                       "etc_hosts",
                                       "etc_services",
                                       "etc_protocols",
                                       "iptables",
                                       "file",
                                       "hash",
                                       "magic",
                                       "systemd_units",
                                       "selinux_settings",
                                       "apparmor_profiles",
                                       "chrome_extensions",
                                       "firefox_addons",
                                       "osquery_info",
                                       "osquery_schedule",
                                       "osquery_flags",
                                       "osquery_registry",
                                       "osquery_extensions",
                                       "osquery_packs",
                                       "osquery_events"};

nlohmann::json LoadReference() {
  std::ifstream in(testing::FixturePath("osquery-tables.json"));
  return nlohmann::json::parse(in);
}

class TableSchemaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RegisterAllTables(registry_);
    for (const auto& t : LoadReference()) reference_[t["name"].get<std::string>()] = t;
  }
  TableRegistry registry_;
  std::map<std::string, nlohmann::json> reference_;
};

TEST_F(TableSchemaTest, EveryTableOfTheFoundationIssueExists) {
  for (const char* name : kRequiredTables)
    EXPECT_NE(registry_.Find(name), nullptr) << "missing table " << name;
}

TEST_F(TableSchemaTest, ColumnsMatchOsqueryExactly) {
  for (const TableDef* def : registry_.All()) {
    auto it = reference_.find(def->schema.name);
    if (it == reference_.end()) continue;  // a Warden-only table
    const auto& ref_cols = it->second["columns"];
    const auto& cols = def->schema.columns;
    ASSERT_GE(cols.size(), ref_cols.size()) << def->schema.name << " lacks osquery columns";
    std::set<std::string> required;
    for (const auto& r : it->second["required_columns"]) required.insert(r.get<std::string>());
    for (size_t i = 0; i < ref_cols.size(); ++i) {
      const auto& ref = ref_cols[i];
      SCOPED_TRACE(def->schema.name + "." + ref["name"].get<std::string>());
      EXPECT_EQ(cols[i].name, ref["name"].get<std::string>()) << "column " << i;
      EXPECT_EQ(std::string(ColumnTypeName(cols[i].type)), ref["type"].get<std::string>());
      EXPECT_EQ((cols[i].options & kHidden) != 0, ref.value("hidden", false));
      bool ref_required = ref.value("required_in_where", false) || required.count(ref["name"]) > 0;
      EXPECT_EQ((cols[i].options & kRequired) != 0, ref_required);
      EXPECT_EQ(cols[i].collate, ref.value("collate", std::string()));
      EXPECT_EQ(cols[i].aliases, ref.value("aliases", std::vector<std::string>()));
    }
    std::vector<std::string> aliases = it->second["table_aliases"];
    EXPECT_EQ(def->schema.aliases, aliases) << def->schema.name;
  }
}

TEST_F(TableSchemaTest, EveryTableHasADescription) {
  for (const TableDef* def : registry_.All())
    EXPECT_FALSE(def->schema.description.empty()) << def->schema.name;
}

}  // namespace
}  // namespace warden
