#include "tables/file_targets.h"

#include <fnmatch.h>
#include <sys/stat.h>

#include <algorithm>
#include <set>
#include <utility>

#include "core/strings.h"

namespace warden {
namespace {

bool HasWildcard(std::string_view component, PathPatternSyntax syntax) {
  std::string_view specials = syntax == PathPatternSyntax::kLike ? "%_" : "*?[";
  return component.find_first_of(specials) != std::string_view::npos;
}

// A LIKE component as an fnmatch pattern: '%' (or '%%') -> '*', '_' -> '?',
// and fnmatch's own metacharacters escaped so they match literally.
std::string LikeComponentToFnmatch(std::string_view component) {
  std::string out;
  for (size_t i = 0; i < component.size(); ++i) {
    char c = component[i];
    if (c == '%') {
      while (i + 1 < component.size() && component[i + 1] == '%') ++i;
      out.push_back('*');
    } else if (c == '_') {
      out.push_back('?');
    } else {
      if (c == '*' || c == '?' || c == '[' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
  }
  return out;
}

std::vector<std::string> PathComponents(std::string_view path) {
  std::vector<std::string> parts;
  for (std::string_view part : SplitString(path, '/'))
    if (!part.empty()) parts.emplace_back(part);
  return parts;
}

Status TooManyMatches(std::string_view pattern) {
  return InvalidArgument("path pattern '" + std::string(pattern) + "' matches more than " +
                         std::to_string(kMaxPatternMatches) + " paths; use a narrower pattern");
}

std::string Prefixed(std::string_view fs_prefix, std::string_view path) {
  std::string real(fs_prefix);
  real.append(path);
  return real;
}

}  // namespace

// What is left to do at one level of the walk, in the order the paths sort.
// A level is a directory's matching entries: each entry is a step sorted by
// its name (kEmit: the entry is a match) or by its name + "/" (kExpand: match
// the next pattern component below it; kDescend: every entry below it, for
// '%%'). Since names cannot hold '/', sorting by these keys gives exactly the
// order of the full paths, so the walk yields matches in sorted order.
struct PathPatternWalker::Level {
  enum class Kind { kEmit, kExpand, kDescend };
  struct Step {
    std::string key;
    std::string path;
    Kind kind;
    bool exists = false;  // known from an lstat already made (entries below '%%')
    bool operator<(const Step& other) const { return key < other.key; }
  };
  std::vector<Step> steps;
  size_t next = 0;
  size_t component = 0;  // for kExpand steps: the index of the component they match next
};

PathPatternWalker::PathPatternWalker(const HostFs& fs, std::string fs_prefix, std::string pattern,
                                     PathPatternSyntax syntax, bool directories_only,
                                     const QueryContext* ctx)
    : fs_(fs),
      fs_prefix_(std::move(fs_prefix)),
      pattern_(std::move(pattern)),
      syntax_(syntax),
      directories_only_(directories_only),
      ctx_(ctx) {
  if (pattern_.empty() || pattern_.front() != '/') return;  // relative: no matches
  components_ = PathComponents(pattern_);
  for (size_t i = 0; i < components_.size(); ++i) {
    bool recursive =
        syntax_ == PathPatternSyntax::kLike && components_[i].find("%%") != std::string::npos;
    if (recursive && i + 1 != components_.size()) {
      error_ = InvalidArgument("path pattern '" + pattern_ +
                               "': the recursive wildcard '%%' is only allowed in the last "
                               "path component");
      return;
    }
  }
  Level root;
  root.steps.push_back({"", "/", components_.empty() ? Level::Kind::kEmit : Level::Kind::kExpand});
  levels_.push_back(std::move(root));
}

PathPatternWalker::~PathPatternWalker() = default;
PathPatternWalker::PathPatternWalker(PathPatternWalker&&) noexcept = default;

// Builds the level below `dir` for component i.
void PathPatternWalker::Expand(const std::string& dir, size_t i) {
  const std::string& component = components_[i];
  bool last = i + 1 == components_.size();
  Level level;
  level.component = i + 1;
  if (!HasWildcard(component, syntax_)) {
    level.steps.push_back(
        {component, JoinPath(dir, component), last ? Level::Kind::kEmit : Level::Kind::kExpand});
    levels_.push_back(std::move(level));
    return;
  }
  auto names = fs_.ListDir(Prefixed(fs_prefix_, dir));
  if (!names.ok()) return;  // not a directory, unreadable, or gone
  bool recursive = syntax_ == PathPatternSyntax::kLike && component.find("%%") != std::string::npos;
  std::string fn_pattern =
      syntax_ == PathPatternSyntax::kLike ? LikeComponentToFnmatch(component) : component;
  for (std::string& name : *names) {
    if (::fnmatch(fn_pattern.c_str(), name.c_str(), 0) != 0) continue;
    std::string path = JoinPath(dir, name);
    if (!last) {
      level.steps.push_back({name + "/", std::move(path), Level::Kind::kExpand});
      continue;
    }
    if (recursive) {
      auto st = fs_.Lstat(Prefixed(fs_prefix_, path));
      if (!st.ok()) continue;
      if (S_ISDIR(st->st_mode)) level.steps.push_back({name + "/", path, Level::Kind::kDescend});
      level.steps.push_back({std::move(name), std::move(path), Level::Kind::kEmit, true});
      continue;
    }
    level.steps.push_back({std::move(name), std::move(path), Level::Kind::kEmit});
  }
  std::sort(level.steps.begin(), level.steps.end());
  levels_.push_back(std::move(level));
}

// Builds the level of everything below `dir` ('%%'), which is known to be a
// directory (not a symlink to one: those are listed but not entered, so
// loops cannot happen). One lstat per entry says whether it is one too.
void PathPatternWalker::Descend(const std::string& dir) {
  auto names = fs_.ListDir(Prefixed(fs_prefix_, dir));
  if (!names.ok()) return;  // unreadable or vanished: skip, as a scan should
  Level level;
  for (std::string& name : *names) {
    std::string path = JoinPath(dir, name);
    auto st = fs_.Lstat(Prefixed(fs_prefix_, path));
    if (!st.ok()) continue;  // vanished since it was listed
    if (S_ISDIR(st->st_mode)) level.steps.push_back({name + "/", path, Level::Kind::kDescend});
    level.steps.push_back({std::move(name), std::move(path), Level::Kind::kEmit, true});
  }
  std::sort(level.steps.begin(), level.steps.end());
  levels_.push_back(std::move(level));
}

Result<std::optional<std::string>> PathPatternWalker::Next() {
  if (!error_.ok()) return error_;
  while (!levels_.empty()) {
    if (ctx_ != nullptr && ctx_->Cancelled()) {
      levels_.clear();
      break;
    }
    Level& level = levels_.back();
    if (level.next == level.steps.size()) {
      levels_.pop_back();
      continue;
    }
    Level::Step step = std::move(level.steps[level.next++]);
    size_t component = level.component;
    switch (step.kind) {
      case Level::Kind::kExpand:
        Expand(step.path, component);  // may invalidate `level`
        break;
      case Level::Kind::kDescend:
        Descend(step.path);
        break;
      case Level::Kind::kEmit: {
        std::string real = Prefixed(fs_prefix_, step.path);
        if (!step.exists && !fs_.Exists(real)) break;
        if (directories_only_ && !fs_.IsDirectory(real)) break;
        return std::optional<std::string>(std::move(step.path));
      }
    }
  }
  return std::optional<std::string>();
}

std::string JoinPath(std::string_view dir, std::string_view name) {
  std::string out(dir);
  if (out.empty() || out.back() != '/') out.push_back('/');
  out.append(name);
  return out;
}

std::string ParentPath(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return "";
  if (path == "/") return "";
  if (slash == 0) return "/";
  std::string_view parent = path.substr(0, slash);
  while (parent.size() > 1 && parent.back() == '/') parent.remove_suffix(1);
  return std::string(parent);
}

std::string FileNameOf(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (path == "/") return "/";
  size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

Result<std::vector<std::string>> ExpandPathPattern(const HostFs& fs, std::string_view fs_prefix,
                                                   std::string_view pattern,
                                                   PathPatternSyntax syntax, bool directories_only,
                                                   const QueryContext* ctx) {
  PathPatternWalker walker(fs, std::string(fs_prefix), std::string(pattern), syntax,
                           directories_only, ctx);
  std::vector<std::string> matches;
  for (;;) {
    ASSIGN_OR_RETURN(std::optional<std::string> match, walker.Next());
    if (!match) break;
    if (matches.size() == kMaxPatternMatches) return TooManyMatches(pattern);
    matches.push_back(std::move(*match));
  }
  return matches;
}

std::vector<NamespaceView> NamespaceViews(const QueryContext& ctx) {
  auto pids = ctx.IntegerEquals("pid_with_namespace");
  if (!pids) return {NamespaceView{}};
  std::vector<NamespaceView> views;
  for (int64_t pid : *pids) {
    if (pid <= 0) continue;
    std::string proc = "/proc/" + std::to_string(pid);
    if (!ctx.fs().IsDirectory(proc + "/root")) continue;  // gone, or not ours to read
    NamespaceView view{proc + "/root", pid, ""};
    if (auto link = ctx.fs().ReadLink(proc + "/ns/mnt"); link.ok()) {
      // "mnt:[4026531841]" -> "4026531841"
      size_t open = link->find('['), close = link->rfind(']');
      if (open != std::string::npos && close != std::string::npos && close > open)
        view.mount_namespace_id = link->substr(open + 1, close - open - 1);
    }
    views.push_back(std::move(view));
  }
  return views;
}

namespace {

// The LIKE and GLOB patterns constraining a column.
std::vector<std::pair<std::string, PathPatternSyntax>> PatternsOf(const QueryContext& ctx,
                                                                  std::string_view column) {
  std::vector<std::pair<std::string, PathPatternSyntax>> patterns;
  if (const auto* constraints = ctx.Constraints(column)) {
    for (const Constraint& c : *constraints) {
      if (c.op != ConstraintOp::kLike && c.op != ConstraintOp::kGlob) continue;
      if (IsNull(c.value)) continue;
      patterns.emplace_back(ValueToText(c.value), c.op == ConstraintOp::kLike
                                                      ? PathPatternSyntax::kLike
                                                      : PathPatternSyntax::kGlob);
    }
  }
  return patterns;
}

// Values of = and IN on a column, each once, in order.
std::vector<std::string> DistinctEquals(const QueryContext& ctx, std::string_view column) {
  std::vector<std::string> values;
  std::set<std::string> seen;
  if (auto eq = ctx.TextEquals(column))
    for (std::string& v : *eq)
      if (seen.insert(v).second) values.push_back(std::move(v));
  return values;
}

}  // namespace

FileTargetStream::FileTargetStream(const QueryContext& ctx, std::string fs_prefix,
                                   bool has_directory_column)
    : ctx_(ctx), fs_prefix_(std::move(fs_prefix)) {
  path_values_ = DistinctEquals(ctx, "path");
  path_patterns_ = PatternsOf(ctx, "path");
  if (has_directory_column) {
    directory_values_ = DistinctEquals(ctx, "directory");
    directory_patterns_ = PatternsOf(ctx, "directory");
  }
  // Each pattern and each named directory yields distinct targets; path
  // values were made distinct above. Only several sources can overlap.
  size_t sources = (path_values_.empty() ? 0 : 1) + path_patterns_.size() +
                   directory_values_.size() + directory_patterns_.size();
  if (sources > 1) seen_.emplace();
}

Result<std::optional<std::string>> FileTargetStream::NextDirectory() {
  if (next_directory_value_ < directory_values_.size())
    return std::optional<std::string>(directory_values_[next_directory_value_++]);
  for (;;) {
    if (!directory_walker_) {
      if (next_directory_pattern_ == directory_patterns_.size())
        return std::optional<std::string>();
      const auto& [pattern, syntax] = directory_patterns_[next_directory_pattern_++];
      directory_walker_.emplace(ctx_.fs(), fs_prefix_, pattern, syntax,
                                /*directories_only=*/true, &ctx_);
    }
    ASSIGN_OR_RETURN(std::optional<std::string> dir, directory_walker_->Next());
    if (dir) return dir;
    directory_walker_.reset();
  }
}

Result<std::optional<FileTarget>> FileTargetStream::NextCandidate() {
  if (next_path_value_ < path_values_.size()) {
    std::string path = path_values_[next_path_value_++];
    std::string parent = ParentPath(path);
    return std::optional<FileTarget>(FileTarget{std::move(path), std::move(parent)});
  }
  for (;;) {
    if (!walker_) {
      if (next_path_pattern_ == path_patterns_.size()) break;
      const auto& [pattern, syntax] = path_patterns_[next_path_pattern_++];
      walker_.emplace(ctx_.fs(), fs_prefix_, pattern, syntax, /*directories_only=*/false, &ctx_);
    }
    ASSIGN_OR_RETURN(std::optional<std::string> path, walker_->Next());
    if (path) {
      std::string parent = ParentPath(*path);
      return std::optional<FileTarget>(FileTarget{std::move(*path), std::move(parent)});
    }
    walker_.reset();
  }
  for (;;) {
    if (next_listed_ < listing_.size())
      return std::optional<FileTarget>(
          FileTarget{JoinPath(listed_directory_, listing_[next_listed_++]), listed_directory_});
    if (ctx_.Cancelled()) return std::optional<FileTarget>();
    ASSIGN_OR_RETURN(std::optional<std::string> dir, NextDirectory());
    if (!dir) return std::optional<FileTarget>();
    listed_directory_ = std::move(*dir);
    next_listed_ = 0;
    auto names = ctx_.fs().ListDir(Prefixed(fs_prefix_, listed_directory_));
    // Missing, not a directory, or unreadable: no rows.
    listing_ = names.ok() ? std::move(names).value() : std::vector<std::string>{};
    std::sort(listing_.begin(), listing_.end());
  }
}

Result<std::optional<FileTarget>> FileTargetStream::Next() {
  for (;;) {
    if (ctx_.Cancelled()) return std::optional<FileTarget>();
    ASSIGN_OR_RETURN(std::optional<FileTarget> target, NextCandidate());
    if (!target || !seen_) return target;
    if (!seen_->emplace(target->path, target->directory).second) continue;
    if (seen_->size() > kMaxPatternMatches)
      return InvalidArgument("the path and directory constraints name more than " +
                             std::to_string(kMaxPatternMatches) +
                             " files together; use fewer or narrower ones");
    return target;
  }
}

Result<std::vector<FileTarget>> ResolveFileTargets(const QueryContext& ctx,
                                                   std::string_view fs_prefix,
                                                   bool has_directory_column) {
  FileTargetStream stream(ctx, std::string(fs_prefix), has_directory_column);
  std::vector<FileTarget> targets;
  for (;;) {
    ASSIGN_OR_RETURN(std::optional<FileTarget> target, stream.Next());
    if (!target) return targets;
    if (targets.size() == kMaxPatternMatches)
      return InvalidArgument("the path and directory constraints name more than " +
                             std::to_string(kMaxPatternMatches) + " files; use narrower ones");
    targets.push_back(std::move(*target));
  }
}

namespace {

class FileTargetRowStream : public RowStream {
 public:
  FileTargetRowStream(const QueryContext& ctx, FileTargetRowFn add_row)
      : ctx_(ctx), add_row_(std::move(add_row)), views_(NamespaceViews(ctx)) {}

  Result<bool> Next(RowWriter& out) override {
    size_t start = out.size();
    while (view_ < views_.size()) {
      if (!targets_) targets_.emplace(ctx_, views_[view_].fs_prefix, /*has_directory_column=*/true);
      for (;;) {
        if (ctx_.Cancelled()) return false;
        ASSIGN_OR_RETURN(std::optional<FileTarget> target, targets_->Next());
        if (!target) break;
        RETURN_IF_ERROR(add_row_(views_[view_], *target, out));
        if (out.size() - start >= kStreamBatchRows) return true;
      }
      targets_.reset();
      ++view_;
    }
    return false;
  }

 private:
  const QueryContext& ctx_;
  FileTargetRowFn add_row_;
  std::vector<NamespaceView> views_;
  size_t view_ = 0;
  std::optional<FileTargetStream> targets_;
};

}  // namespace

std::unique_ptr<RowStream> StreamFileTargetRows(const QueryContext& ctx, FileTargetRowFn add_row) {
  return std::make_unique<FileTargetRowStream>(ctx, std::move(add_row));
}

}  // namespace warden
