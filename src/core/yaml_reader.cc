#include "core/yaml_reader.h"

#include <fcntl.h>
#include <unistd.h>
#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "core/strings.h"

namespace warden {

std::string SourceLocation::ToString() const {
  std::string s = file.empty() ? "<rules>" : file;
  if (line > 0) {
    s += ":" + std::to_string(line);
    if (column > 0) s += ":" + std::to_string(column);
  }
  return s;
}

SourceLocation LocationOf(const std::string& file, const YAML::Node& node) {
  SourceLocation loc;
  loc.file = file;
  YAML::Mark m = node.Mark();
  if (!m.is_null()) {
    loc.line = m.line + 1;
    loc.column = m.column + 1;
  }
  return loc;
}

SourceLocation LocationInScalar(const std::string& file, const YAML::Node& node, size_t offset) {
  SourceLocation loc = LocationOf(file, node);
  if (loc.line == 0 || !node.IsScalar()) return loc;
  const std::string& text = node.Scalar();
  if (text.find('\n') != std::string::npos) return loc;  // block scalar: start is the best we know
  // Quoted scalars start at the quote; the text starts one column later.
  loc.column += static_cast<int>(offset) + (node.Tag() == "!" ? 1 : 0);
  return loc;
}

namespace {

// Rejects what makes yaml-cpp 0.7 misbehave before handing text to it:
// control characters (YAML forbids them; a NUL ends yaml-cpp's stream early)
// and a ',' flow indicator outside [...] / {...} that is not inside a plain
// scalar (at the start of a node, or after a closed collection or quoted
// scalar): yaml-cpp then allocates without bound instead of failing. All of
// these are invalid YAML anyway. A line-based scan that tracks quotes (also
// across lines), comments, flow depth and block scalars, which is all these
// questions need.
Status CheckYamlText(std::string_view text, const std::string& source) {
  int flow_depth = 0;
  bool in_single = false, in_double = false;
  int block_indent = -1;  // >= 0 while inside a | or > block scalar
  int line_no = 0;
  auto error = [&](size_t column, const std::string& what) {
    return InvalidArgument(source + ":" + std::to_string(line_no) + ":" + std::to_string(column) +
                           ": invalid YAML: " + what);
  };
  for (std::string_view line : SplitString(text, '\n')) {
    ++line_no;
    for (size_t i = 0; i < line.size(); ++i) {
      auto c = static_cast<unsigned char>(line[i]);
      if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f)
        return error(i + 1, "control character " + std::to_string(c));
    }
    size_t indent = 0;
    while (indent < line.size() && (line[indent] == ' ' || line[indent] == '\t')) ++indent;
    std::string_view content = line.substr(indent);
    if (!content.empty() && content.back() == '\r') content.remove_suffix(1);
    if (block_indent >= 0) {
      if (content.empty() || static_cast<int>(indent) > block_indent) continue;
      block_indent = -1;
    }
    // Block context (depth 0): kNode expects a node, kPlain is inside a plain
    // scalar (anything goes until ": " or " #"), kAfter follows a quoted
    // scalar or a closed collection (only ':' or a comment may follow).
    enum class State { kNode, kPlain, kAfter } state = State::kNode;
    size_t end_of_code = content.size();
    for (size_t i = 0; i < content.size(); ++i) {
      const char c = content[i];
      const char next = i + 1 < content.size() ? content[i + 1] : ' ';
      if (in_single) {
        if (c == '\'') {
          if (next == '\'')
            ++i;
          else {
            in_single = false;
            if (flow_depth == 0) state = State::kAfter;
          }
        }
        continue;
      }
      if (in_double) {
        if (c == '\\')
          ++i;
        else if (c == '"') {
          in_double = false;
          if (flow_depth == 0) state = State::kAfter;
        }
        continue;
      }
      const bool after_space = i == 0 || content[i - 1] == ' ' || content[i - 1] == '\t';
      if (c == '#' && after_space) {
        end_of_code = i;
        break;
      }
      if (flow_depth > 0) {
        bool token_start =
            i == 0 || std::string_view(" \t[{,:").find(content[i - 1]) != std::string_view::npos;
        if (c == '\'' && token_start)
          in_single = true;
        else if (c == '"' && token_start)
          in_double = true;
        else if (c == '[' || c == '{')
          ++flow_depth;
        else if (c == ']' || c == '}') {
          if (--flow_depth == 0) state = State::kAfter;
        }
        continue;
      }
      if (c == ' ' || c == '\t') continue;
      if (state == State::kPlain) {
        if (c == ':' && (next == ' ' || next == '\t' || i + 1 == content.size()))
          state = State::kNode;
        continue;
      }
      if (c == ':' && (next == ' ' || next == '\t' || i + 1 == content.size())) {
        state = State::kNode;
        continue;
      }
      if (state == State::kAfter) {
        if (c == ',') return error(indent + i + 1, "',' outside [...] or {...}");
        state = State::kPlain;  // yaml-cpp reports anything else itself
        continue;
      }
      // State::kNode
      if ((c == '-' || c == '?') && (next == ' ' || next == '\t' || i + 1 == content.size()))
        continue;
      if (c == '-' && content.substr(i, 3) == "---") {
        i += 2;
        continue;
      }
      if (c == ',') return error(indent + i + 1, "',' outside [...] or {...}");
      if (c == '!' || c == '&' || c == '*') {
        // A tag, anchor or alias token: yaml-cpp ends it at a flow
        // indicator and then meets a stray one.
        size_t j = i;
        while (j < content.size() && content[j] != ' ' && content[j] != '\t') {
          if (std::string_view(",[]{}").find(content[j]) != std::string_view::npos)
            return error(indent + j + 1,
                         std::string("'") + content[j] + "' inside a tag, anchor or alias");
          ++j;
        }
        if (c == '*') state = State::kAfter;
        i = j;
        continue;
      }
      if (c == '\'')
        in_single = true;
      else if (c == '"')
        in_double = true;
      else if (c == '[' || c == '{')
        ++flow_depth;
      else if (c == '|' || c == '>') {
        std::string_view rest = TrimWhitespace(content.substr(i + 1, end_of_code - i - 1));
        bool header = true;
        for (char r : rest)
          if (!std::isdigit(static_cast<unsigned char>(r)) && r != '+' && r != '-') header = false;
        if (rest.find('#') != std::string_view::npos) header = true;  // trailing comment
        if (header) {
          block_indent = static_cast<int>(indent);
          break;
        }
        state = State::kPlain;
      } else {
        state = State::kPlain;
      }
    }
  }
  return Status::Ok();
}

// Walks yaml-cpp's parse events (no node tree) and stops at the first limit
// by throwing LimitExceeded out of the parser. Per document it keeps the
// open collections (bounded by max_depth) and, per anchor, the size and
// height of the anchored node, so an alias is measured by what it expands to.
class YamlShapeCounter : public YAML::EventHandler {
 public:
  struct LimitExceeded {
    YAML::Mark mark;
    std::string message;
  };

  YamlShapeCounter(std::string_view text, const YamlLimits& limits)
      : text_(text), limits_(limits) {}

  void OnDocumentStart(const YAML::Mark& mark) override {
    // yaml-cpp 0.7 answers a token it cannot place (a ',' after a complete
    // node) with an empty document that does not consume it, again and again.
    if (documents_ > 0 && mark.pos == last_document_pos_) {
      std::string what = mark.pos >= 0 && static_cast<size_t>(mark.pos) < text_.size()
                             ? std::string("'") + text_[static_cast<size_t>(mark.pos)] + "'"
                             : std::string("token");
      Fail(mark, "invalid YAML: unexpected " + what + " after a complete node");
    }
    ++documents_;
    last_document_pos_ = mark.pos;
    open_.clear();
    anchors_.clear();
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { Leaf(mark, anchor); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                const std::string&) override {
    Leaf(mark, anchor);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (anchor >= anchors_.size() || anchors_[anchor].open)
      Fail(mark, "an alias inside the node its anchor names (a cycle) is not supported");
    const Anchored& a = anchors_[anchor];
    if (static_cast<int>(open_.size()) + a.height > limits_.max_depth)
      Fail(mark, "nesting deeper than " + std::to_string(limits_.max_depth) +
                     " levels through an alias (limit " + std::to_string(limits_.max_depth) + ")");
    AddNodes(mark, a.nodes);
    ChildDone(a.height);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Open(mark, anchor);
  }
  void OnSequenceEnd() override { Close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Open(mark, anchor);
  }
  void OnMapEnd() override { Close(); }

 private:
  struct Anchored {
    uint64_t nodes = 1;
    int height = 0;  // nested collections inside and including the node
    bool open = false;
  };
  struct Collection {
    YAML::anchor_t anchor = 0;
    uint64_t nodes_before = 0;
    int child_height = 0;
  };

  [[noreturn]] void Fail(const YAML::Mark& mark, std::string message) {
    throw LimitExceeded{mark, std::move(message)};
  }
  void AddNodes(const YAML::Mark& mark, uint64_t n) {
    nodes_ += n;
    if (nodes_ > limits_.max_nodes)
      Fail(mark, "more than " + std::to_string(limits_.max_nodes) +
                     " YAML nodes, aliases counted where they are used (limit " +
                     std::to_string(limits_.max_nodes) + ")");
  }
  Anchored& Register(YAML::anchor_t anchor) {
    if (anchors_.size() <= anchor) anchors_.resize(anchor + 1);
    return anchors_[anchor];
  }
  void ChildDone(int height) {
    if (!open_.empty()) open_.back().child_height = std::max(open_.back().child_height, height);
  }
  void Leaf(const YAML::Mark& mark, YAML::anchor_t anchor) {
    AddNodes(mark, 1);
    if (anchor != YAML::NullAnchor) Register(anchor) = Anchored{};
    ChildDone(0);
  }
  void Open(const YAML::Mark& mark, YAML::anchor_t anchor) {
    if (static_cast<int>(open_.size()) >= limits_.max_depth)
      Fail(mark, "nesting deeper than " + std::to_string(limits_.max_depth) + " levels (limit " +
                     std::to_string(limits_.max_depth) + ")");
    Collection c;
    c.anchor = anchor;
    c.nodes_before = nodes_;
    AddNodes(mark, 1);
    if (anchor != YAML::NullAnchor) Register(anchor).open = true;
    open_.push_back(c);
  }
  void Close() {
    if (open_.empty()) return;
    Collection c = open_.back();
    open_.pop_back();
    const int height = c.child_height + 1;
    if (c.anchor != YAML::NullAnchor) {
      Anchored& a = anchors_[c.anchor];
      a.nodes = nodes_ - c.nodes_before;
      a.height = height;
      a.open = false;
    }
    ChildDone(height);
  }

  std::string_view text_;
  const YamlLimits& limits_;
  std::vector<Collection> open_;
  std::vector<Anchored> anchors_;  // by yaml-cpp's anchor id (per document)
  uint64_t nodes_ = 0;             // over all documents
  size_t documents_ = 0;
  int last_document_pos_ = -1;
};

std::string AtMark(const std::string& source, const YAML::Mark& mark) {
  if (mark.is_null()) return source;
  return source + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

}  // namespace

Status CheckYamlInput(std::string_view text, const std::string& source, const YamlLimits& limits) {
  if (text.size() > limits.max_bytes)
    return InvalidArgument(source + ": " + std::to_string(text.size()) +
                           " bytes of YAML is over the limit of " +
                           std::to_string(limits.max_bytes) + " bytes");
  RETURN_IF_ERROR(CheckYamlText(text, source));
  try {
    std::istringstream in{std::string(text)};
    YAML::Parser parser(in);
    YamlShapeCounter counter(text, limits);
    while (parser.HandleNextDocument(counter)) {
    }
  } catch (const YamlShapeCounter::LimitExceeded& e) {
    return InvalidArgument(AtMark(source, e.mark) + ": " + e.message);
  } catch (const YAML::Exception&) {
    // A syntax error: the caller's own parse meets it at the same place,
    // after the same (counted) nodes, and reports it in its words.
    return Status::Ok();
  } catch (const std::exception& e) {
    return InvalidArgument(source + ": invalid YAML: " + e.what());
  }
  return Status::Ok();
}

Result<std::string> ReadYamlFile(const std::string& path, const YamlLimits& limits) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(path, errno);
  std::string text;
  std::vector<char> buffer(64 * 1024);
  while (true) {
    ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return ErrnoStatus(path, err);
    }
    if (n == 0) break;
    text.append(buffer.data(), static_cast<size_t>(n));
    if (text.size() > limits.max_bytes) {
      ::close(fd);
      return InvalidArgument(path + ": larger than the limit of " +
                             std::to_string(limits.max_bytes) + " bytes for a YAML file");
    }
  }
  ::close(fd);
  return text;
}

Result<std::vector<YAML::Node>> SafeLoadAllYaml(std::string_view text, const std::string& source,
                                                const YamlLimits& limits) {
  RETURN_IF_ERROR(CheckYamlInput(text, source, limits));
  try {
    return YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    return InvalidArgument(AtMark(source, e.mark) + ": invalid YAML: " + e.msg);
  } catch (const std::exception& e) {
    return InvalidArgument(source + ": invalid YAML: " + e.what());
  }
}

Result<YAML::Node> SafeLoadYaml(std::string_view text, const std::string& source,
                                const YamlLimits& limits) {
  RETURN_IF_ERROR(CheckYamlInput(text, source, limits));
  try {
    return YAML::Load(std::string(text));
  } catch (const YAML::ParserException& e) {
    return InvalidArgument(AtMark(source, e.mark) + ": YAML syntax error: " + e.msg);
  } catch (const YAML::Exception& e) {
    return InvalidArgument(source + ": " + e.what());
  } catch (const std::exception& e) {
    return InvalidArgument(source + ": invalid YAML: " + e.what());
  }
}

Result<std::string> ReadScalar(const YAML::Node& node, const std::string& what) {
  if (!node.IsScalar()) return InvalidArgument(what + ": expected a single value");
  return node.Scalar();
}

Result<std::vector<std::string>> ReadStringList(const YAML::Node& node, const std::string& what) {
  std::vector<std::string> out;
  if (node.IsNull()) return out;
  if (node.IsScalar()) {
    out.push_back(node.Scalar());
    return out;
  }
  if (!node.IsSequence()) return InvalidArgument(what + ": expected a value or a list of values");
  for (const YAML::Node& item : node) {
    if (!item.IsScalar()) return InvalidArgument(what + ": list items must be single values");
    out.push_back(item.Scalar());
  }
  return out;
}

Result<bool> ReadBool(const YAML::Node& node, const std::string& what) {
  if (node.IsScalar()) {
    std::string v = AsciiLower(node.Scalar());
    if (v == "true" || v == "yes" || v == "on") return true;
    if (v == "false" || v == "no" || v == "off") return false;
  }
  return InvalidArgument(what + ": expected true or false");
}

Result<double> ReadNumber(const YAML::Node& node, const std::string& what) {
  double d = 0;
  if (node.IsScalar() && ParseDouble(node.Scalar(), &d)) return d;
  return InvalidArgument(what + ": expected a number");
}

std::optional<int64_t> ParseDurationMs(std::string_view input) {
  std::string_view text = TrimWhitespace(input);
  int64_t unit = 1000;
  if (EndsWith(text, "ms")) {
    unit = 1;
    text.remove_suffix(2);
  } else if (!text.empty() &&
             std::string_view("smhd").find(text.back()) != std::string_view::npos) {
    const char u = text.back();
    unit = u == 's' ? 1000 : u == 'm' ? 60000 : u == 'h' ? 3600000 : 86400000;
    text.remove_suffix(1);
  }
  int64_t v = 0;
  if (!ParseInt64(TrimWhitespace(text), &v) || v < 0 || v > (int64_t{1} << 40) / unit)
    return std::nullopt;
  return v * unit;
}

std::optional<int64_t> ParseByteSize(std::string_view input) {
  std::string upper;
  for (char c : TrimWhitespace(input))
    upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  int64_t unit = 1;
  for (auto [suffix, mult] : {std::pair<std::string_view, int64_t>{"KIB", 1ll << 10},
                              {"MIB", 1ll << 20},
                              {"GIB", 1ll << 30},
                              {"KB", 1ll << 10},
                              {"MB", 1ll << 20},
                              {"GB", 1ll << 30},
                              {"K", 1ll << 10},
                              {"M", 1ll << 20},
                              {"G", 1ll << 30},
                              {"B", 1}}) {
    if (EndsWith(upper, suffix)) {
      unit = mult;
      upper.resize(upper.size() - suffix.size());
      break;
    }
  }
  int64_t v = 0;
  if (!ParseInt64(TrimWhitespace(upper), &v) || v < 0 || v > (int64_t{1} << 50) / unit)
    return std::nullopt;
  return v * unit;
}

Result<int64_t> ReadDuration(const YAML::Node& node, const std::string& what) {
  std::optional<int64_t> ms = node.IsScalar() ? ParseDurationMs(node.Scalar()) : std::nullopt;
  if (!ms || *ms < 1000 || *ms % 1000 != 0)
    return InvalidArgument(what +
                           ": expected a positive duration in whole seconds like 300s, 5m "
                           "or 1h");
  return *ms / 1000;
}

std::optional<std::string> SuggestKey(const std::string& word,
                                      const std::vector<std::string>& candidates) {
  return ClosestMatch(word, candidates);
}

std::string DidYouMean(const std::string& word, const std::vector<std::string>& candidates) {
  if (auto s = SuggestKey(word, candidates)) return "; did you mean '" + *s + "'?";
  return "";
}

bool YamlHasContent(const YAML::Node& n) {
  if (!n || n.IsNull()) return false;
  if (n.IsSequence() || n.IsMap()) return n.size() > 0;
  return true;
}

// ---------------------------------------------------------------- YamlReader

YamlReader::YamlReader(std::string source, std::string base_dir)
    : source_(std::move(source)), base_dir_(std::move(base_dir)) {}

Status YamlReader::Error(const YAML::Node& node, const std::string& key,
                         const std::string& reason) const {
  std::string where = source_;
  YAML::Mark m = node.Mark();
  if (!m.is_null() && m.line >= 0)
    where += ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
  return InvalidArgument(where + ": " + (key.empty() ? "" : key + ": ") + reason);
}

Status YamlReader::CheckKeys(const YAML::Node& map, const std::string& path,
                             const std::vector<std::string>& allowed) const {
  if (!map.IsMap()) return Error(map, path, "expected a mapping of keys");
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (!it->first.IsScalar()) return Error(it->first, path, "keys must be plain words");
    const std::string key = it->first.Scalar();
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::string reason = "unknown key '" + key + "'";
    std::string hint = DidYouMean(key, allowed);
    if (hint.empty()) {
      hint = "; known keys: ";
      for (size_t i = 0; i < allowed.size(); ++i) hint += (i ? ", " : "") + allowed[i];
    }
    return Error(it->first, Join(path, key), reason + hint);
  }
  return Status::Ok();
}

Result<std::string> YamlReader::String(const YAML::Node& n, const std::string& key) const {
  if (!n.IsScalar()) return Error(n, key, "expected a single value");
  if (!expand_env_) return n.Scalar();
  return ExpandEnvironment(n, key, n.Scalar());
}

Result<std::string> YamlReader::ExpandEnvironment(const YAML::Node& n, const std::string& key,
                                                  const std::string& text) const {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = text.find("${", i);
    if (start == std::string::npos) {
      out += text.substr(i);
      break;
    }
    size_t end = text.find('}', start);
    if (end == std::string::npos) return Error(n, key, "unterminated ${...} reference");
    out += text.substr(i, start - i);
    std::string var = text.substr(start + 2, end - start - 2);
    const char* value = std::getenv(var.c_str());
    if (value == nullptr && !allow_unset_env_)
      return Error(n, key, "environment variable " + var + " is not set");
    out += value ? value : "";
    i = end + 1;
  }
  return out;
}

Result<bool> YamlReader::Bool(const YAML::Node& n, const std::string& key) const {
  auto r = ReadBool(n, key);
  if (!r.ok()) return Error(n, key, "expected true or false");
  return *r;
}

Result<int64_t> YamlReader::Int(const YAML::Node& n, const std::string& key, int64_t min,
                                int64_t max) const {
  int64_t v = 0;
  if (!n.IsScalar() || !ParseInt64(TrimWhitespace(n.Scalar()), &v) || v < min || v > max)
    return Error(n, key,
                 "expected an integer from " + std::to_string(min) + " to " + std::to_string(max));
  return v;
}

Result<double> YamlReader::Number(const YAML::Node& n, const std::string& key, double min,
                                  double max) const {
  double v = 0;
  if (!n.IsScalar() || !ParseDouble(TrimWhitespace(n.Scalar()), &v) || v < min || v > max) {
    std::ostringstream os;
    os << "expected a number from " << min << " to " << max;
    return Error(n, key, os.str());
  }
  return v;
}

Result<int64_t> YamlReader::DurationMs(const YAML::Node& n, const std::string& key,
                                       int64_t min_ms) const {
  std::optional<int64_t> ms = n.IsScalar() ? ParseDurationMs(n.Scalar()) : std::nullopt;
  if (!ms) return Error(n, key, std::string(kDurationHint));
  if (*ms < min_ms) return Error(n, key, "must be at least " + std::to_string(min_ms) + "ms");
  return *ms;
}

Result<int64_t> YamlReader::Size(const YAML::Node& n, const std::string& key,
                                 int64_t min_bytes) const {
  std::optional<int64_t> bytes = n.IsScalar() ? ParseByteSize(n.Scalar()) : std::nullopt;
  if (!bytes) return Error(n, key, std::string(kSizeHint));
  if (*bytes < min_bytes)
    return Error(n, key, "must be at least " + std::to_string(min_bytes) + " bytes");
  return *bytes;
}

Result<std::map<std::string, std::string>> YamlReader::StringMap(const YAML::Node& n,
                                                                 const std::string& key) const {
  std::map<std::string, std::string> out;
  if (n.IsNull()) return out;
  if (!n.IsMap()) return Error(n, key, "expected a mapping of names to values");
  for (auto it = n.begin(); it != n.end(); ++it) {
    if (!it->first.IsScalar()) return Error(it->first, key, "keys must be plain words");
    ASSIGN_OR_RETURN(std::string v, String(it->second, Join(key, it->first.Scalar())));
    out[it->first.Scalar()] = v;
  }
  return out;
}

Result<std::vector<std::string>> YamlReader::StringList(const YAML::Node& n, const std::string& key,
                                                        const std::string& hint) const {
  auto list = ReadStringList(n, key);
  if (!list.ok()) return Error(n, key, "expected " + hint);
  return list;
}

Result<std::string> YamlReader::Choice(const YAML::Node& n, const std::string& key,
                                       const std::vector<std::string>& choices) const {
  ASSIGN_OR_RETURN(std::string v, String(n, key));
  if (std::find(choices.begin(), choices.end(), v) != choices.end()) return v;
  std::string expected;
  for (size_t i = 0; i < choices.size(); ++i)
    expected += (i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ") + choices[i];
  return Error(n, key, "expected " + expected + ", got '" + v + "'");
}

std::string YamlReader::ResolvePath(const std::string& path, const std::string& base) const {
  if (path.empty() || path[0] == '/') return path;
  const std::string& dir = base.empty() ? base_dir_ : base;
  return (std::filesystem::path(dir.empty() ? "." : dir) / path).lexically_normal().string();
}

}  // namespace warden
