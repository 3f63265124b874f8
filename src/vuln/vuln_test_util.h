// Test helpers for src/vuln: a FeedSink that keeps records in memory, and a
// feed database built from hand-written records, so matcher tests state the
// vendor data they rely on next to the expectation.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "testing/test_util.h"
#include "vuln/feed_database.h"
#include "vuln/feed_record.h"

namespace warden::testing {

class CollectingSink : public FeedSink {
 public:
  Status BeginDocument(std::string_view source, std::string_view document) override {
    documents.push_back(std::string(source) + "/" + std::string(document));
    return Status::Ok();
  }
  Status Add(const AffectedRecord& record) override {
    records.push_back(record);
    return Status::Ok();
  }
  void SetFeedTime(std::string_view source, int64_t t) override {
    feed_times.emplace_back(std::string(source), t);
  }
  // The records for one package and CVE (and release when given).
  std::vector<AffectedRecord> Find(const std::string& package, const std::string& cve,
                                   const std::string& release = "") const {
    std::vector<AffectedRecord> out;
    for (const auto& r : records)
      if (r.package == package && r.vuln_id == cve && (release.empty() || r.release == release))
        out.push_back(r);
    return out;
  }

  std::vector<std::string> documents;
  std::vector<AffectedRecord> records;
  std::vector<std::pair<std::string, int64_t>> feed_times;
};

// Writes records into a new feed database at dir/feeds.db and returns its path.
inline std::string WriteFeedDatabase(const TempDir& dir,
                                     const std::vector<AffectedRecord>& records) {
  std::string path = dir.path() + "/feeds.db";
  auto writer = FeedWriter::Begin(path);
  EXPECT_TRUE(writer.ok()) << writer.status().message();
  if (!writer.ok()) return path;
  std::vector<std::string> begun;  // each document once, or it would erase its own records
  for (const auto& r : records) {
    std::string key = r.source + "/" + r.document;
    if (std::find(begun.begin(), begun.end(), key) == begun.end()) {
      EXPECT_TRUE((*writer)->BeginDocument(r.source, r.document).ok());
      begun.push_back(key);
    }
    EXPECT_TRUE((*writer)->Add(r).ok());
  }
  for (const auto& s : (*writer)->TakeTouchedSources())
    EXPECT_TRUE((*writer)->NoteImport(s, "test", "test", 0).ok());
  EXPECT_TRUE((*writer)->Commit().ok());
  return path;
}

// A Debian tracker-style record: source package, release, CVE, status, fixed version.
inline AffectedRecord DebRecord(const std::string& package, const std::string& release,
                                const std::string& cve, VendorStatus status,
                                const std::string& fixed = "") {
  AffectedRecord r;
  r.source = "debian-tracker";
  r.document = package + "/" + cve;
  r.distro = "debian";
  r.release = release;
  r.package = package;
  r.scheme = PackageScheme::kDebSource;
  r.vuln_id = cve;
  r.status = status;
  r.fixed_version = fixed;
  r.vendor_status = status == VendorStatus::kFixed ? "resolved" : "open";
  return r;
}

// An Oracle ELSA-style record: binary package, release, fixed EVR.
inline AffectedRecord RpmRecord(const std::string& package, const std::string& release,
                                const std::string& cve, const std::string& fixed_evr,
                                const std::string& advisory = "ELSA-2024-0001") {
  AffectedRecord r;
  r.source = "oracle-elsa";
  r.document = advisory;
  r.distro = "ol";
  r.release = release;
  r.package = package;
  r.scheme = PackageScheme::kRpmBinary;
  r.vuln_id = cve;
  r.advisory = advisory;
  r.status = VendorStatus::kFixed;
  r.fixed_version = fixed_evr;
  r.vendor_status = "fixed";
  r.vendor_severity = "IMPORTANT";
  return r;
}

}  // namespace warden::testing
