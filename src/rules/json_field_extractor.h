// JsonFieldExtractor fills EventFields from one JSON object with simdjson's
// On-Demand parser, visiting only the keys on the paths rules use and skipping
// everything else without materialising it. The dotted paths are compiled into
// a trie once; each event then costs one structural scan plus a walk along the
// trie. No allocation per event after warm-up (strings are unescaped into the
// parser's own buffer).
//
// Contract: `data` must have at least kJsonPadding readable bytes after
// data[len-1] (simdjson reads ahead). Values extracted are valid until the next
// call. Arrays on a path are transparent: "resources.ARN" yields every
// element's ARN. A leaf that is an object yields its raw JSON text; a leaf that
// is an array yields each element. An object's remaining keys are not read
// once every wanted key was found (the first occurrence of a key counts), so
// skipped parts of the event are only checked structurally by simdjson's
// first stage; callers that need a fully validated document parse it again.
// Not thread-safe: one extractor per thread.
#pragma once

#include <memory>
#include <string_view>

#include "core/status.h"
#include "rules/event_fields.h"

namespace warden {

inline constexpr size_t kJsonPadding = 64;  // == SIMDJSON_PADDING

class JsonFieldExtractor {
 public:
  // kEager extracts every field during Extract. kLazy extracts fields under
  // CloudTrail's leading keys (eventVersion, userIdentity, eventTime,
  // eventSource, eventName, awsRegion, sourceIPAddress, userAgent) during
  // Extract, and the others (requestParameters, responseElements, errorCode,
  // ...) only when the evaluator first reads one of them for this event: an
  // event whose cheap conditions fail never pays for its large objects. The
  // lazy pass continues the eager walk's iteration of the record where it
  // stopped (no second parse); a lazy key met before that point (not
  // CloudTrail's order) is read during Extract instead.
  enum class Mode { kEager, kLazy };
  // Compiles the paths of `registry` as it is now; fields interned later are
  // not extracted (create the extractor after compiling all rules).
  explicit JsonFieldExtractor(const FieldRegistry& registry, Mode mode = Mode::kEager);
  ~JsonFieldExtractor();
  JsonFieldExtractor(const JsonFieldExtractor&) = delete;
  JsonFieldExtractor& operator=(const JsonFieldExtractor&) = delete;

  // Parses data[0, len) (a JSON object) into `out`. `capacity` is the number
  // of readable bytes from `data` (>= len + kJsonPadding). Errors are
  // ParseError with simdjson's message ("TAPE_ERROR: ..."); `out` is then
  // partially filled and must not be evaluated.
  Status Extract(const char* data, size_t len, size_t capacity, EventFields* out);
  // The lazy pass (called through EventFields, at most once per Extract and
  // before the next one). A JSON error found only now marks `out` with
  // lazy_error(); the lazy fields then read as missing.
  void LoadLazyFields(EventFields* out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace warden
