#include "rules/regex_matcher.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <cstring>

namespace warden {

struct Regex::Code {
  pcre2_code* code = nullptr;
  bool jit = false;
  ~Code() { pcre2_code_free(code); }
};

struct RegexScratch::Impl {
  pcre2_match_data* match_data = nullptr;
  pcre2_match_context* match_context = nullptr;
  pcre2_jit_stack* jit_stack = nullptr;
  ~Impl() {
    pcre2_match_data_free(match_data);
    pcre2_match_context_free(match_context);
    pcre2_jit_stack_free(jit_stack);
  }
};

RegexScratch::RegexScratch() : impl_(std::make_unique<Impl>()) {
  // One ovector pair is enough: we only ask "does it match", never for groups.
  impl_->match_data = pcre2_match_data_create(1, nullptr);
  impl_->match_context = pcre2_match_context_create(nullptr);
  pcre2_set_match_limit(impl_->match_context, kRegexMatchLimit);
  pcre2_set_depth_limit(impl_->match_context, kRegexDepthLimit);
  pcre2_set_heap_limit(impl_->match_context, 20 * 1024);  // KiB, interpreter only
  impl_->jit_stack = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, nullptr);
  if (impl_->jit_stack != nullptr)
    pcre2_jit_stack_assign(impl_->match_context, nullptr, impl_->jit_stack);
}

RegexScratch::~RegexScratch() = default;

namespace {

bool IsMetaCharacter(char c) { return std::strchr("\\^$.|?*+()[]{}", c) != nullptr; }

// Patterns that match any subject under search semantics. Only forms whose
// truth does not depend on the subject: ".*" matches the empty string at
// offset 0, ".*$" matches at the end. "^.*$" is deliberately absent: it fails
// on a value with an inner line break.
bool IsMatchEverything(std::string_view p) {
  return p.empty() || p == ".*" || p == "^.*" || p == ".*$" || p == "(.*)" || p == "^(.*)" ||
         p == ".*?" || p == "^" || p == "$";
}

}  // namespace

Result<Regex> Regex::Compile(std::string_view pattern, const RegexOptions& options,
                             size_t* error_offset) {
  if (pattern.size() > kMaxRegexPatternLength) {
    if (error_offset) *error_offset = kMaxRegexPatternLength;
    return InvalidArgument("regex error: pattern is longer than " +
                           std::to_string(kMaxRegexPatternLength) + " bytes");
  }
  uint32_t flags = PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF | PCRE2_NEVER_BACKSLASH_C;
  if (options.ignore_case) flags |= PCRE2_CASELESS;
  if (options.multiline) flags |= PCRE2_MULTILINE;
  if (options.dot_all) flags |= PCRE2_DOTALL;
  int error_code = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                   flags, &error_code, &offset, nullptr);
  if (code == nullptr) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(error_code, message, sizeof message);
    if (error_offset) *error_offset = offset;
    return InvalidArgument("regex error at offset " + std::to_string(offset) + ": " +
                           reinterpret_cast<const char*>(message));
  }
  auto compiled = std::make_shared<Code>();
  compiled->code = code;
  // JIT is an optimisation: when it is unavailable the interpreter runs under
  // the same limits.
  compiled->jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;

  Regex re;
  re.code_ = std::move(compiled);
  re.pattern_ = std::string(pattern);
  re.matches_everything_ = IsMatchEverything(pattern);
  bool literal = !options.ignore_case && !pattern.empty();
  for (char c : pattern)
    if (IsMetaCharacter(c)) literal = false;
  if (literal) {
    re.is_literal_ = true;
    re.literal_ = std::string(pattern);
  }
  return re;
}

RegexOutcome Regex::Search(std::string_view subject, RegexScratch& scratch) const {
  if (matches_everything_) return RegexOutcome::kMatch;
  if (is_literal_) {
    if (literal_.size() > subject.size()) return RegexOutcome::kNoMatch;
    return memmem(subject.data(), subject.size(), literal_.data(), literal_.size()) != nullptr
               ? RegexOutcome::kMatch
               : RegexOutcome::kNoMatch;
  }
  RegexScratch::Impl& s = *scratch.impl_;
  // An empty view may have a null data pointer; PCRE2 wants a valid one.
  const char* data = subject.empty() ? "" : subject.data();
  int rc = pcre2_match(code_->code, reinterpret_cast<PCRE2_SPTR>(data), subject.size(), 0, 0,
                       s.match_data, s.match_context);
  if (rc >= 0) return RegexOutcome::kMatch;  // 0: ovector too small, still a match
  if (rc == PCRE2_ERROR_NOMATCH || rc == PCRE2_ERROR_PARTIAL) return RegexOutcome::kNoMatch;
  // MATCHLIMIT, DEPTHLIMIT, HEAPLIMIT, JIT_STACKLIMIT, NOMEMORY: the budget ran out.
  return RegexOutcome::kLimitExceeded;
}

}  // namespace warden
