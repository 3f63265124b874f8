#include "vuln/debian_tracker_importer.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/strings.h"

namespace warden {
namespace {

using nlohmann::json;

// Longer strings than this are not tracker data (descriptions run to a few KB).
constexpr size_t kMaxStringBytes = 1u << 20;
// A CVE entry nests four levels (releases/<codename>/repositories/<name>).
constexpr size_t kMaxEntryDepth = 16;

// nlohmann's messages start with "[json.exception.parse_error.101] "; the
// rest ("parse error at line 3, column 5: ...") is what a person needs.
std::string CleanJsonError(std::string_view what) {
  if (StartsWith(what, "[json.exception.")) {
    size_t close = what.find("] ");
    if (close != std::string_view::npos) what.remove_prefix(close + 2);
  }
  return std::string(what);
}

std::string TextField(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

// One release entry of one CVE of one source package -> a record.
AffectedRecord ReleaseRecord(const std::string& package, const std::string& cve,
                             const std::string& codename, const json& entry,
                             const std::string& title) {
  AffectedRecord r;
  r.source = std::string(kDebianTrackerSource);
  r.document = package + "/" + cve;
  r.distro = "debian";
  r.release = codename;
  r.package = package;
  r.scheme = PackageScheme::kDebSource;
  r.vuln_id = cve;
  r.title = title;
  r.link = "https://security-tracker.debian.org/tracker/" + cve;
  const std::string status = TextField(entry, "status");
  const std::string urgency = TextField(entry, "urgency");
  const std::string nodsa_reason = TextField(entry, "nodsa_reason");
  r.vendor_severity = urgency;
  r.vendor_status = status;
  if (status == "resolved") {
    r.fixed_version = TextField(entry, "fixed_version");
    // "0" is the tracker's way of saying no version in this release was ever vulnerable.
    if (r.fixed_version.empty() || r.fixed_version == "0") {
      r.status = VendorStatus::kNotAffected;
      r.fixed_version.clear();
    } else {
      r.status = VendorStatus::kFixed;
    }
  } else if (status == "open") {
    std::string why = !nodsa_reason.empty() ? nodsa_reason : urgency;
    while (!why.empty() && why.back() == '*') why.pop_back();
    if (nodsa_reason == "postponed") {
      r.status = VendorStatus::kDeferred;
    } else if (nodsa_reason == "ignored" || why == "unimportant" || why == "end-of-life") {
      // unimportant: the security team considers it no security problem in
      // Debian; end-of-life: the package has no security support in this release.
      r.status = VendorStatus::kWillNotFix;
    } else {
      r.status = VendorStatus::kAffected;
    }
    if (r.status != VendorStatus::kAffected) r.vendor_status = "open (" + why + ")";
    std::string nodsa = TextField(entry, "nodsa");
    if (!nodsa.empty()) r.vendor_status += ": " + nodsa;
  } else if (status == "not-affected" || status == "not affected") {
    r.status = VendorStatus::kNotAffected;
  } else {
    // "undetermined", or a status this version of Warden does not know yet:
    // report it as untriaged rather than dropping it.
    r.status = VendorStatus::kUnderInvestigation;
  }
  return r;
}

// SAX handler: walks the top two levels (package -> CVE id) itself and builds
// a small DOM for each CVE entry, which it converts and then discards.
class TrackerSax {
 public:
  TrackerSax(std::string_view origin, FeedSink& sink) : origin_(origin), sink_(sink) {}

  using number_integer_t = json::number_integer_t;
  using number_unsigned_t = json::number_unsigned_t;
  using number_float_t = json::number_float_t;
  using string_t = json::string_t;
  using binary_t = json::binary_t;

  bool null() { return Scalar(json(nullptr)); }
  bool boolean(bool v) { return Scalar(json(v)); }
  bool number_integer(number_integer_t v) { return Scalar(json(v)); }
  bool number_unsigned(number_unsigned_t v) { return Scalar(json(v)); }
  bool number_float(number_float_t v, const string_t&) { return Scalar(json(v)); }
  bool string(string_t& v) {
    if (v.size() > kMaxStringBytes)
      return Fail("a string of " + std::to_string(v.size()) + " bytes is too long");
    return Scalar(json(std::move(v)));
  }
  bool binary(binary_t&) { return Fail("unexpected binary value"); }

  bool start_object(std::size_t) {
    if (depth_ == 0) {
      depth_ = 1;
      return true;
    }
    if (depth_ == 1) {
      depth_ = 2;
      return true;
    }
    return OpenContainer(json::object());
  }
  bool end_object() {
    if (!stack_.empty()) return CloseContainer();
    if (depth_ == 2) {
      depth_ = 1;
      package_.clear();
      return true;
    }
    depth_ = 0;
    return true;
  }
  bool start_array(std::size_t) {
    if (depth_ < 2)
      return Fail(depth_ == 0
                      ? "expected an object of source packages, found a list"
                      : "package " + package_ + ": expected an object of CVE ids, found a list");
    return OpenContainer(json::array());
  }
  bool end_array() { return CloseContainer(); }
  bool key(string_t& k) {
    if (k.size() > kMaxStringBytes)
      return Fail("a key of " + std::to_string(k.size()) + " bytes is too long");
    if (stack_.empty()) {
      if (depth_ == 1)
        package_ = k;
      else
        cve_ = k;
      return true;
    }
    pending_key_ = std::move(k);
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& ex) {
    error_ = ParseError(std::string(origin_) + ": " + CleanJsonError(ex.what()));
    return false;
  }

  const Status& error() const { return error_; }
  size_t entries() const { return entries_; }
  void set_progress(const ProgressFn* progress, std::FILE* file) {
    progress_ = progress;
    file_ = file;
  }

 private:
  bool Fail(const std::string& message) {
    std::string where =
        package_.empty() ? "" : " (package " + package_ + (cve_.empty() ? "" : ", " + cve_) + ")";
    error_ = ParseError(std::string(origin_) + ": " + message + where);
    return false;
  }

  bool Scalar(json value) {
    if (depth_ == 0) return Fail("expected an object of source packages");
    if (depth_ == 1) return Fail("package " + package_ + ": expected an object of CVE ids");
    if (stack_.empty()) return EntryDone(value);  // a CVE whose value is a scalar
    return Insert(std::move(value)) != nullptr;
  }

  json* Insert(json value) {
    json& parent = *stack_.back();
    if (parent.is_array()) {
      parent.push_back(std::move(value));
      return &parent.back();
    }
    json& slot = parent[pending_key_];
    slot = std::move(value);
    return &slot;
  }

  bool OpenContainer(json empty) {
    if (stack_.size() >= kMaxEntryDepth)
      return Fail("nesting deeper than " + std::to_string(kMaxEntryDepth));
    if (stack_.empty()) {
      entry_ = std::move(empty);
      stack_.push_back(&entry_);
      return true;
    }
    json* child = Insert(std::move(empty));
    stack_.push_back(child);
    return true;
  }

  bool CloseContainer() {
    stack_.pop_back();
    if (stack_.empty()) {
      bool ok = EntryDone(entry_);
      entry_ = json();
      return ok;
    }
    return true;
  }

  bool EntryDone(const json& entry) {
    ++entries_;
    if (progress_ && *progress_ && file_ && entries_ % 2048 == 0) {
      long pos = std::ftell(file_);
      if (pos > 0) (*progress_)(static_cast<uint64_t>(pos));
    }
    if (!entry.is_object()) return Fail("expected an object for the CVE entry");
    std::string document = package_ + "/" + cve_;
    if (Status st = sink_.BeginDocument(kDebianTrackerSource, document); !st.ok()) {
      error_ = st;
      return false;
    }
    auto releases = entry.find("releases");
    // `releases: []` (seen for chromium-browser) means "no release data".
    if (releases == entry.end() || !releases->is_object()) return true;
    std::string title = TextField(entry, "description");
    for (const auto& [codename, release] : releases->items()) {
      if (!release.is_object()) continue;
      if (Status st = sink_.Add(ReleaseRecord(package_, cve_, codename, release, title));
          !st.ok()) {
        error_ = st;
        return false;
      }
    }
    return true;
  }

  std::string_view origin_;
  FeedSink& sink_;
  int depth_ = 0;  // 0 outside, 1 inside the package map, 2 inside one package
  std::string package_;
  std::string cve_;
  std::string pending_key_;
  json entry_;
  std::vector<json*> stack_;
  Status error_;
  size_t entries_ = 0;
  const ProgressFn* progress_ = nullptr;
  std::FILE* file_ = nullptr;
};

template <typename Input>
Status Run(Input&& input, std::string_view origin, FeedSink& sink, const ProgressFn* progress,
           std::FILE* file) {
  TrackerSax sax(origin, sink);
  sax.set_progress(progress, file);
  bool ok = false;
  try {
    ok = json::sax_parse(std::forward<Input>(input), &sax);
  } catch (const std::exception& e) {
    return ParseError(std::string(origin) + ": " + CleanJsonError(e.what()));
  }
  if (!ok) {
    if (!sax.error().ok()) return sax.error();
    return ParseError(std::string(origin) + ": malformed Debian tracker JSON");
  }
  return Status::Ok();
}

}  // namespace

Status ImportDebianTrackerJson(std::string_view text, std::string_view origin, FeedSink& sink) {
  return Run(text, origin, sink, nullptr, nullptr);
}

Status ImportDebianTrackerFile(std::FILE* file, std::string_view origin, FeedSink& sink,
                               const ProgressFn& progress) {
  return Run(file, origin, sink, &progress, file);
}

}  // namespace warden
