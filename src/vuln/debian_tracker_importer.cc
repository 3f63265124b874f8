#include "vuln/debian_tracker_importer.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/strings.h"
#include "vuln/json_shape.h"

namespace warden {
namespace {

using nlohmann::json;

// Longer strings than this are not tracker data (descriptions run to a few KB).
constexpr size_t kMaxStringBytes = 1u << 20;
// A CVE entry nests four levels (releases/<codename>/repositories/<name>).
constexpr size_t kMaxEntryDepth = 16;

// One release entry of one CVE of one source package -> a record. `at` is
// the entry's place, for errors: every field read must have the tracker's type.
Result<AffectedRecord> ReleaseRecord(const std::string& package, const std::string& cve,
                                     const std::string& codename, const json& entry,
                                     const JsonPlace& at, const std::string& title) {
  if (!entry.is_object()) return JsonWrongType(at, "an object (one release's verdict)", entry);
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
  std::string status, urgency, nodsa, nodsa_reason, fixed_version;
  RETURN_IF_ERROR(ReadJsonText(entry, at, "status", JsonNeed::kRequired, &status));
  RETURN_IF_ERROR(ReadJsonText(entry, at, "urgency", JsonNeed::kOptional, &urgency));
  RETURN_IF_ERROR(ReadJsonText(entry, at, "nodsa", JsonNeed::kOptional, &nodsa));
  RETURN_IF_ERROR(ReadJsonText(entry, at, "nodsa_reason", JsonNeed::kOptional, &nodsa_reason));
  RETURN_IF_ERROR(ReadJsonText(entry, at, "fixed_version", JsonNeed::kOptional, &fixed_version));
  r.vendor_severity = urgency;
  r.vendor_status = status;
  if (status == "resolved") {
    r.fixed_version = fixed_version;
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
    if (depth_ < 2) return Scalar(json::array());  // reports the list where an object belongs
    return OpenContainer(json::array());
  }
  bool end_array() { return CloseContainer(); }
  bool key(string_t& k) {
    if (k.size() > kMaxStringBytes)
      return Fail("a key of " + std::to_string(k.size()) + " bytes is too long");
    if (stack_.empty()) {
      if (depth_ == 1) {
        package_ = k;
        cve_.clear();
      } else {
        cve_ = k;
      }
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
  // The JSON pointer of the package or CVE entry being read ("/openssl/CVE-2023-5678").
  JsonPlace Place() const {
    JsonPlace at{origin_, ""};
    if (depth_ >= 1 && !package_.empty()) at = at.Child(package_);
    if (depth_ >= 2 && !cve_.empty()) at = at.Child(cve_);
    return at;
  }

  bool Fail(const std::string& message) {
    return Report(ParseError(Place().Describe() + ": " + message));
  }

  bool Report(Status st) {
    error_ = std::move(st);
    return false;
  }

  bool Scalar(json value) {
    if (depth_ == 0) return Report(JsonWrongType(Place(), "an object of source packages", value));
    if (depth_ == 1) return Report(JsonWrongType(Place(), "an object of CVE ids", value));
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
    Status st = Entry(entry);
    return st.ok() || Report(std::move(st));
  }

  // Checks and converts one CVE entry completely before touching the sink:
  // a shape error must fail the import, never replace the stored records of
  // this package/CVE with fewer or different ones.
  Status Entry(const json& entry) {
    const JsonPlace at = Place();
    if (package_.empty() || cve_.empty())
      return ParseError(at.Describe() + ": empty " +
                        (package_.empty() ? "source package name" : "CVE id"));
    if (!entry.is_object()) return JsonWrongType(at, "an object (one CVE entry)", entry);
    std::string title;
    RETURN_IF_ERROR(ReadJsonText(entry, at, "description", JsonNeed::kOptional, &title));
    auto releases = entry.find("releases");
    if (releases == entry.end() || releases->is_null())
      return JsonMissing(at, "releases", "an object of releases");
    const JsonPlace releases_at = at.Child("releases");
    records_.clear();
    if (releases->is_array()) {
      // `releases: []` (seen for chromium-browser) means "no release data";
      // a list with something in it is not the tracker's format.
      if (!releases->empty())
        return JsonWrongType(releases_at, "an object of releases (or an empty list)", *releases);
    } else if (!releases->is_object()) {
      return JsonWrongType(releases_at, "an object of releases", *releases);
    }
    for (const auto& [codename, release] : releases->items()) {
      if (codename.empty()) return ParseError(releases_at.Describe() + ": empty release name");
      ASSIGN_OR_RETURN(AffectedRecord record, ReleaseRecord(package_, cve_, codename, release,
                                                            releases_at.Child(codename), title));
      records_.push_back(std::move(record));
    }
    RETURN_IF_ERROR(sink_.BeginDocument(kDebianTrackerSource, package_ + "/" + cve_));
    for (const AffectedRecord& record : records_) RETURN_IF_ERROR(sink_.Add(record));
    return Status::Ok();
  }

  std::string_view origin_;
  FeedSink& sink_;
  int depth_ = 0;  // 0 outside, 1 inside the package map, 2 inside one package
  std::string package_;
  std::string cve_;
  std::string pending_key_;
  json entry_;
  std::vector<json*> stack_;
  std::vector<AffectedRecord> records_;  // of the entry being converted
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
