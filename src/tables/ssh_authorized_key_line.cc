#include "tables/ssh_authorized_key_line.h"

#include "core/strings.h"

namespace warden {

namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

size_t SkipBlanks(std::string_view s, size_t i) {
  while (i < s.size() && IsBlank(s[i])) ++i;
  return i;
}

// End of a plain token starting at i.
size_t TokenEnd(std::string_view s, size_t i) {
  while (i < s.size() && !IsBlank(s[i])) ++i;
  return i;
}

// End of the options field starting at i: blanks inside "..." (with \"
// escapes) belong to it, as sshd's auth_parse_options reads them.
size_t OptionsEnd(std::string_view s, size_t i) {
  bool quoted = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (quoted && c == '\\' && i + 1 < s.size() && s[i + 1] == '"') {
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (!quoted && IsBlank(c)) {
      break;
    }
  }
  return i;
}

}  // namespace

bool IsSshKeyAlgorithm(std::string_view token) {
  return StartsWith(token, "ssh-rsa") || StartsWith(token, "ssh-dss") ||
         StartsWith(token, "ssh-ed25519") || StartsWith(token, "ssh-ed448") ||
         StartsWith(token, "ecdsa-sha2-") || StartsWith(token, "sk-ssh-ed25519") ||
         StartsWith(token, "sk-ecdsa-sha2-") || StartsWith(token, "rsa-sha2-");
}

std::optional<AuthorizedKey> ParseAuthorizedKeyLine(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  size_t i = SkipBlanks(line, 0);
  if (i == line.size() || line[i] == '#') return std::nullopt;

  AuthorizedKey k;
  size_t end = TokenEnd(line, i);
  if (!IsSshKeyAlgorithm(line.substr(i, end - i))) {
    // Not a key type, so this is the options field.
    end = OptionsEnd(line, i);
    k.options = std::string(line.substr(i, end - i));
    i = SkipBlanks(line, end);
    end = TokenEnd(line, i);
    if (!IsSshKeyAlgorithm(line.substr(i, end - i))) return std::nullopt;
  }
  k.algorithm = std::string(line.substr(i, end - i));
  i = SkipBlanks(line, end);
  end = TokenEnd(line, i);
  if (end == i) return std::nullopt;  // a key type without a key
  k.key = std::string(line.substr(i, end - i));
  std::string_view comment = TrimWhitespace(line.substr(end));
  if (!comment.empty()) k.comment = std::string(comment);
  return k;
}

std::vector<AuthorizedKey> ParseAuthorizedKeys(std::string_view text) {
  std::vector<AuthorizedKey> keys;
  for (std::string_view line : SplitString(text, '\n'))
    if (std::optional<AuthorizedKey> key = ParseAuthorizedKeyLine(line)) keys.push_back(*key);
  return keys;
}

}  // namespace warden
