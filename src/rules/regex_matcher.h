// Regex is the one regular-expression engine of Warden's rules: PCRE2 with
// JIT, search semantics (a pattern matches when it matches anywhere in the
// value, like Python's re.search; anchor with ^ and $ for a full match), UTF-8
// with Unicode properties, and lookahead/lookbehind, so the patterns users
// paste from Conformity's guides (`^(?!ec2).*$`) work unchanged.
//
// User patterns can never hang the engine: every match runs under a match
// limit, a depth limit and a bounded JIT stack. A pattern that exhausts them
// returns RegexOutcome::kLimitExceeded (a bounded failure the caller counts and
// reports); it does not block and does not count as a match.
//
// This file does not cache results; the rule evaluator memoises per value.
// A Regex is immutable and may be shared between threads; the RegexScratch it
// matches with may not (one scratch per thread).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace warden {

struct RegexOptions {
  bool ignore_case = false;
  bool multiline = false;  // ^ and $ match at line breaks
  bool dot_all = false;    // . matches a newline
};

enum class RegexOutcome { kMatch, kNoMatch, kLimitExceeded };

// Per-thread state for matching: PCRE2 match data, match context with the
// limits, and the JIT stack. Create one per thread and reuse it.
class RegexScratch {
 public:
  RegexScratch();
  ~RegexScratch();
  RegexScratch(const RegexScratch&) = delete;
  RegexScratch& operator=(const RegexScratch&) = delete;

 private:
  friend class Regex;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Backtracking budget of one match (PCRE2 match limit) and depth limit.
inline constexpr uint32_t kRegexMatchLimit = 1'000'000;
inline constexpr uint32_t kRegexDepthLimit = 10'000;
inline constexpr size_t kMaxRegexPatternLength = 16 * 1024;

class Regex {
 public:
  // Compiles `pattern`. On error the Status message is
  // "regex error at offset N: <PCRE2 message>" and *error_offset (if given)
  // holds N, the 0-based byte offset in the pattern, so callers can turn it
  // into a line:column of the rule file.
  static Result<Regex> Compile(std::string_view pattern, const RegexOptions& options = {},
                               size_t* error_offset = nullptr);

  // Searches `subject` for the pattern.
  RegexOutcome Search(std::string_view subject, RegexScratch& scratch) const;

  const std::string& pattern() const { return pattern_; }
  // True when the pattern matches every subject (".*", "^.*", "" ...); the
  // evaluator skips such columns entirely.
  bool matches_everything() const { return matches_everything_; }
  // When the pattern is a plain literal (no metacharacters, case-sensitive),
  // the literal; Search then uses a substring search instead of PCRE2.
  const std::string& literal() const { return literal_; }
  bool is_literal() const { return is_literal_; }

 private:
  struct Code;
  std::shared_ptr<const Code> code_;
  std::string pattern_;
  std::string literal_;
  bool is_literal_ = false;
  bool matches_everything_ = false;
};

}  // namespace warden
