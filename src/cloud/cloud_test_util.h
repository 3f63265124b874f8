// Shared by the cloud module's tests: run a TrailScanner over paths or text
// and collect what it produced.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cloud/cloudtrail_reader.h"
#include "cloud/trail_scanner.h"
#include "rules/rule_yaml_loader.h"
#include "testing/test_util.h"

namespace warden::testing {

// The real CloudTrail of an attack simulation (tests/fixtures/cloudtrail/SOURCES.md).
inline std::string SamplesDir() { return FixturePath("cloudtrail/invictus-ir_aws_dataset"); }
// Hand-written OCI Audit events in four shapes (tests/fixtures/oci/SOURCES.md).
inline std::string OciSamplesDir() { return FixturePath("oci"); }

struct ScanOutput {
  std::vector<Finding> findings;
  std::vector<Finding> suppressed;
  std::vector<std::string> problems;
  ScanStats stats;
  InputStats input;
};

inline std::vector<Rule> RulesFromYaml(const std::string& yaml) {
  RuleLoadResult r = LoadRulesFromText(yaml, "test.yaml");
  EXPECT_FALSE(r.has_errors()) << r.FirstError().message();
  return r.rules;
}

inline ScanOutput ScanPaths(std::vector<Rule> rules, const std::vector<std::string>& paths,
                            const TrailProfile* profile = nullptr,
                            TrailScanner::Options options = {}) {
  ScanOutput out;
  options.show_suppressed = true;
  auto scanner = TrailScanner::Create(std::move(rules), profile, options);
  EXPECT_TRUE(scanner.ok()) << scanner.status().message();
  if (!scanner.ok()) return out;
  (*scanner)->set_on_finding([&](Finding&& f, bool suppressed) {
    (suppressed ? out.suppressed : out.findings).push_back(std::move(f));
  });
  (*scanner)->set_on_problem([&](const std::string& m) { out.problems.push_back(m); });
  CloudTrailReader reader(
      [&](const SplitRecord& r, const RecordOrigin& o) { (*scanner)->ProcessRecord(r, o); },
      [&](const std::string& m) { out.problems.push_back(m); });
  for (const std::string& p : paths) EXPECT_TRUE(reader.ReadPath(p).ok()) << p;
  out.stats = (*scanner)->stats();
  out.input = reader.stats();
  return out;
}

}  // namespace warden::testing
