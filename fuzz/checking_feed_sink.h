// A FeedSink for the feed importer fuzz targets that checks what every
// importer promises about the records it hands over, and aborts (a finding
// for libFuzzer) when one is broken: a document and a source are named, a
// record has a package, a vulnerability id and a release, and a "fixed"
// record has its fixed version. Malformed input must be a Status, never a
// record missing these. It stores nothing.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "vuln/feed_record.h"

namespace warden::fuzzing {

class CheckingFeedSink : public FeedSink {
 public:
  Status BeginDocument(std::string_view source, std::string_view document) override {
    Check(!source.empty(), "BeginDocument without a source");
    Check(!document.empty(), "BeginDocument without a document");
    return Status::Ok();
  }
  Status Add(const AffectedRecord& r) override {
    Check(!r.source.empty() && !r.document.empty(), "record without source or document");
    Check(!r.package.empty(), "record without a package");
    Check(!r.vuln_id.empty(), "record without a vulnerability id");
    Check(!r.release.empty(), "record without a release");
    Check(!r.distro.empty(), "record without a distribution");
    Check(r.status != VendorStatus::kFixed || !r.fixed_version.empty(),
          "fixed record without a fixed version");
    return Status::Ok();
  }

 private:
  static void Check(bool ok, const char* what) {
    if (ok) return;
    std::fprintf(stderr, "importer invariant broken: %s\n", what);
    std::abort();
  }
};

}  // namespace warden::fuzzing
