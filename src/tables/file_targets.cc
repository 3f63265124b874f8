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

std::vector<std::string_view> PathComponents(std::string_view path) {
  std::vector<std::string_view> parts;
  for (std::string_view part : SplitString(path, '/'))
    if (!part.empty()) parts.push_back(part);
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

// Appends every entry below dir (depth-first, sorted per directory) to out.
// Symlinked directories are listed but not entered.
Status AppendDescendants(const HostFs& fs, std::string_view fs_prefix, const std::string& dir,
                         std::string_view pattern, const QueryContext* ctx,
                         std::vector<std::string>* out) {
  std::vector<std::string> stack = {dir};
  while (!stack.empty()) {
    if (ctx != nullptr && ctx->Cancelled()) return Status::Ok();
    std::string current = std::move(stack.back());
    stack.pop_back();
    auto names = fs.ListDir(Prefixed(fs_prefix, current));
    if (!names.ok()) continue;  // unreadable or vanished: skip, as a scan should
    std::sort(names->begin(), names->end());
    std::vector<std::string> subdirs;
    for (const std::string& name : *names) {
      std::string child = JoinPath(current, name);
      auto st = fs.Lstat(Prefixed(fs_prefix, child));
      if (st.ok() && S_ISDIR(st->st_mode)) subdirs.push_back(child);
      out->push_back(std::move(child));
      if (out->size() > kMaxPatternMatches) return TooManyMatches(pattern);
    }
    // Reverse so the stack pops them in name order.
    stack.insert(stack.end(), subdirs.rbegin(), subdirs.rend());
  }
  return Status::Ok();
}

}  // namespace

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
  if (pattern.empty() || pattern.front() != '/') return std::vector<std::string>{};
  std::vector<std::string_view> components = PathComponents(pattern);
  std::vector<std::string> current = {"/"};
  for (size_t i = 0; i < components.size() && !current.empty(); ++i) {
    std::string_view component = components[i];
    bool last = i + 1 == components.size();
    bool recursive =
        syntax == PathPatternSyntax::kLike && component.find("%%") != std::string_view::npos;
    if (recursive && !last)
      return InvalidArgument("path pattern '" + std::string(pattern) +
                             "': the recursive wildcard '%%' is only allowed in the last "
                             "path component");
    std::vector<std::string> next;
    if (!HasWildcard(component, syntax)) {
      for (const std::string& dir : current) next.push_back(JoinPath(dir, component));
    } else {
      std::string fn_pattern = syntax == PathPatternSyntax::kLike
                                   ? LikeComponentToFnmatch(component)
                                   : std::string(component);
      for (const std::string& dir : current) {
        if (ctx != nullptr && ctx->Cancelled()) return next;
        auto names = fs.ListDir(Prefixed(fs_prefix, dir));
        if (!names.ok()) continue;  // not a directory, unreadable, or gone
        std::sort(names->begin(), names->end());
        for (const std::string& name : *names) {
          if (::fnmatch(fn_pattern.c_str(), name.c_str(), 0) != 0) continue;
          next.push_back(JoinPath(dir, name));
          if (next.size() > kMaxPatternMatches) return TooManyMatches(pattern);
        }
      }
    }
    if (recursive) {
      std::vector<std::string> with_descendants;
      for (const std::string& match : next) {
        with_descendants.push_back(match);
        auto st = fs.Lstat(Prefixed(fs_prefix, match));
        if (!st.ok() || !S_ISDIR(st->st_mode)) continue;
        RETURN_IF_ERROR(AppendDescendants(fs, fs_prefix, match, pattern, ctx, &with_descendants));
      }
      next = std::move(with_descendants);
    }
    current = std::move(next);
  }
  std::vector<std::string> matches;
  for (std::string& path : current) {
    std::string real = Prefixed(fs_prefix, path);
    if (!fs.Exists(real)) continue;
    if (directories_only && !fs.IsDirectory(real)) continue;
    matches.push_back(std::move(path));
  }
  std::sort(matches.begin(), matches.end());
  matches.erase(std::unique(matches.begin(), matches.end()), matches.end());
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

Result<std::vector<FileTarget>> ResolveFileTargets(const QueryContext& ctx,
                                                   std::string_view fs_prefix,
                                                   bool has_directory_column) {
  std::vector<FileTarget> targets;
  std::set<std::pair<std::string, std::string>> seen;
  auto add = [&](std::string path, std::string directory) {
    if (seen.emplace(path, directory).second)
      targets.push_back(FileTarget{std::move(path), std::move(directory)});
  };

  // Equality values plus the expansion of every LIKE/GLOB pattern on column.
  auto named = [&](std::string_view column,
                   bool directories_only) -> Result<std::vector<std::string>> {
    std::vector<std::string> values;
    if (auto eq = ctx.TextEquals(column)) values = std::move(*eq);
    if (const auto* constraints = ctx.Constraints(column)) {
      for (const Constraint& c : *constraints) {
        if (c.op != ConstraintOp::kLike && c.op != ConstraintOp::kGlob) continue;
        if (IsNull(c.value)) continue;
        auto syntax =
            c.op == ConstraintOp::kLike ? PathPatternSyntax::kLike : PathPatternSyntax::kGlob;
        ASSIGN_OR_RETURN(std::vector<std::string> expanded,
                         ExpandPathPattern(ctx.fs(), fs_prefix, ValueToText(c.value), syntax,
                                           directories_only, &ctx));
        for (std::string& path : expanded) values.push_back(std::move(path));
      }
    }
    return values;
  };

  ASSIGN_OR_RETURN(std::vector<std::string> paths, named("path", false));
  for (std::string& path : paths) {
    std::string parent = ParentPath(path);
    add(std::move(path), std::move(parent));
  }
  if (!has_directory_column) return targets;

  ASSIGN_OR_RETURN(std::vector<std::string> directories, named("directory", true));
  for (const std::string& directory : directories) {
    if (ctx.Cancelled()) break;
    auto names = ctx.fs().ListDir(Prefixed(fs_prefix, directory));
    if (!names.ok()) continue;  // missing, not a directory, or unreadable: no rows
    std::sort(names->begin(), names->end());
    for (const std::string& name : *names) add(JoinPath(directory, name), directory);
  }
  return targets;
}

}  // namespace warden
