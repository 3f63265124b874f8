#include "tables/proc_reader.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <system_error>
#include <thread>

#include "core/strings.h"

namespace warden {
namespace {

bool IsDecimal(std::string_view s) {
  if (s.empty() || s.size() > 18) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Moves `rest` past the next whitespace-separated field and returns it.
std::string_view NextField(std::string_view& rest) {
  size_t start = rest.find_first_not_of(" \t\n");
  if (start == std::string_view::npos) {
    rest = {};
    return {};
  }
  size_t end = rest.find_first_of(" \t\n", start);
  std::string_view field =
      rest.substr(start, end == std::string_view::npos ? rest.size() - start : end - start);
  rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
  return field;
}

// Parses the next `count` whitespace-separated integers of text into out,
// consuming them.
bool ParseIntegers(std::string_view& text, int64_t* out, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    if (!ParseInt64(NextField(text), &out[i])) return false;
  }
  return true;
}

}  // namespace

Result<std::vector<int64_t>> ListProcessIds(const HostFs& fs) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, fs.ListDir("/proc"));
  std::vector<int64_t> pids;
  pids.reserve(names.size());
  for (const auto& name : names) {
    int64_t pid = 0;
    if (IsDecimal(name) && ParseInt64(name, &pid) && pid > 0) pids.push_back(pid);
  }
  std::sort(pids.begin(), pids.end());
  return pids;
}

std::vector<int64_t> PidsToScan(const QueryContext& ctx, std::string_view pid_column) {
  if (auto wanted = ctx.IntegerEquals(pid_column)) {
    std::vector<int64_t> pids;
    for (int64_t pid : *wanted)
      if (pid > 0) pids.push_back(pid);
    return pids;  // IntegerEquals returns them sorted and unique
  }
  auto all = ListProcessIds(ctx.fs());
  // No /proc (an image without it, a fixture of another group): no processes.
  return all.ok() ? std::move(all).value() : std::vector<int64_t>{};
}

std::string ProcPidPath(int64_t pid, std::string_view file) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, pid);
  std::string path;
  path.reserve(8 + static_cast<size_t>(end - digits) + file.size());
  path.append("/proc/");
  path.append(digits, static_cast<size_t>(end - digits));
  path.push_back('/');
  path.append(file);
  return path;
}

bool ParseProcStat(std::string_view text, ProcStat* out) {
  // "<pid> (<comm>) <state> <ppid> ...": comm may itself contain ") ", so the
  // last ')' ends it.
  size_t open = text.find('(');
  size_t close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open)
    return false;
  out->comm.assign(text.substr(open + 1, close - open - 1));
  std::string_view rest = text.substr(close + 1);
  std::string_view state = NextField(rest);
  if (state.size() != 1) return false;
  out->state = state[0];
  // Fields after the state, numbered from 0 (ppid) as in proc(5) minus 4.
  int64_t f[20];
  if (!ParseIntegers(rest, f, 20)) return false;
  out->ppid = f[0];
  out->pgrp = f[1];
  out->session = f[2];
  out->utime_ticks = f[10];
  out->stime_ticks = f[11];
  out->nice = f[15];
  out->threads = f[16];
  out->start_ticks = f[18];
  out->vsize_bytes = f[19];
  // rss follows vsize; truncated files may stop before it.
  int64_t rss = 0;
  out->rss_pages = ParseInt64(NextField(rest), &rss) ? rss : 0;
  return true;
}

bool ParseProcStatus(std::string_view text, ProcStatus* out) {
  bool uid = false, gid = false;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view key = line.substr(0, colon);
    std::string_view value = line.substr(colon + 1);
    if (key == "Uid" || key == "Gid") {
      int64_t ids[3];
      if (!ParseIntegers(value, ids, 3)) continue;
      if (key == "Uid") {
        out->real_uid = ids[0], out->effective_uid = ids[1], out->saved_uid = ids[2];
        uid = true;
      } else {
        out->real_gid = ids[0], out->effective_gid = ids[1], out->saved_gid = ids[2];
        gid = true;
      }
    } else if (key == "VmRSS" || key == "VmSize") {
      int64_t kb = 0;
      if (!ParseInt64(NextField(value), &kb)) continue;
      (key == "VmRSS" ? out->vm_rss_kb : out->vm_size_kb) = kb;
    }
  }
  out->has_ids = uid && gid;
  return out->has_ids;
}

bool ParseProcIo(std::string_view text, ProcIo* out) {
  bool any = false;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view key = line.substr(0, colon);
    int64_t* target = key == "read_bytes"              ? &out->read_bytes
                      : key == "write_bytes"           ? &out->write_bytes
                      : key == "cancelled_write_bytes" ? &out->cancelled_write_bytes
                                                       : nullptr;
    if (target != nullptr && ParseInt64(line.substr(colon + 1), target)) any = true;
  }
  return any;
}

std::string JoinCommandLine(std::string_view raw) {
  std::string joined(raw);
  std::replace(joined.begin(), joined.end(), '\0', ' ');
  std::string_view trimmed = TrimWhitespace(joined);
  if (trimmed.size() == joined.size()) return joined;
  return std::string(trimmed);
}

void ForEachEnvironmentEntry(std::string_view raw,
                             const std::function<void(std::string_view, std::string_view)>& fn) {
  while (!raw.empty()) {
    size_t nul = raw.find('\0');
    std::string_view entry = raw.substr(0, nul);
    raw = nul == std::string_view::npos ? std::string_view{} : raw.substr(nul + 1);
    if (entry.empty()) continue;
    size_t eq = entry.find('=');
    if (eq == std::string_view::npos) {
      fn(entry, {});
    } else {
      fn(entry.substr(0, eq), entry.substr(eq + 1));
    }
  }
}

std::string_view ParseCgroupPath(std::string_view text) {
  std::string_view first;
  bool have_first = false;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    // "<hierarchy-id>:<controllers>:<path>"; the path may contain colons.
    size_t c1 = line.find(':');
    if (c1 == std::string_view::npos) continue;
    size_t c2 = line.find(':', c1 + 1);
    if (c2 == std::string_view::npos) continue;
    std::string_view path = line.substr(c2 + 1);
    if (line.substr(0, c2 + 1) == "0::") return path;
    if (!have_first) first = path, have_first = true;
  }
  return first;
}

bool ParseBracketedInode(std::string_view link, std::string_view prefix, uint64_t* inode) {
  if (!StartsWith(link, prefix)) return false;
  link.remove_prefix(prefix.size());
  if (link.size() < 3 || link.front() != '[' || link.back() != ']') return false;
  std::string_view digits = link.substr(1, link.size() - 2);
  if (!IsDecimal(digits)) return false;
  return ParseUint64(digits, inode);
}

uint64_t ReadNamespaceInode(const HostFs& fs, int64_t pid, std::string_view kind) {
  std::string file = "ns/";
  file.append(kind);
  auto link = fs.ReadLink(ProcPidPath(pid, file));
  if (!link.ok()) return 0;
  std::string prefix(kind);
  prefix.push_back(':');
  uint64_t inode = 0;
  return ParseBracketedInode(*link, prefix, &inode) ? inode : 0;
}

int64_t ReadBootTime(const HostFs& fs) {
  auto text = fs.ReadFile("/proc/stat");
  if (!text.ok()) return -1;
  std::string_view rest = *text;
  size_t pos = rest.find("\nbtime ");
  if (pos == std::string_view::npos) return -1;
  rest.remove_prefix(pos + 7);
  int64_t btime = 0;
  return ParseInt64(NextField(rest), &btime) && btime > 0 ? btime : -1;
}

int64_t ClockTicksPerSecond() {
  static const int64_t ticks = [] {
    long t = ::sysconf(_SC_CLK_TCK);
    return t > 0 ? static_cast<int64_t>(t) : int64_t{100};
  }();
  return ticks;
}

size_t ParallelChunkCount(size_t count, size_t min_per_chunk) {
  size_t threads = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 8);
  if (min_per_chunk == 0) min_per_chunk = 1;
  return std::clamp<size_t>(count / min_per_chunk, 1, threads);
}

void RunChunks(size_t count, size_t chunks,
               const std::function<void(size_t chunk, size_t begin, size_t end)>& work) {
  if (chunks <= 1 || count < chunks) {
    work(0, 0, count);
    for (size_t c = 1; c < chunks; ++c) work(c, count, count);
    return;
  }
  auto begin_of = [&](size_t c) { return count * c / chunks; };
  std::vector<std::thread> threads;
  threads.reserve(chunks - 1);
  for (size_t c = 1; c < chunks; ++c) {
    try {
      threads.emplace_back(work, c, begin_of(c), begin_of(c + 1));
    } catch (const std::system_error&) {
      work(c, begin_of(c), begin_of(c + 1));  // no thread to be had: do it here
    }
  }
  work(0, 0, begin_of(1));
  for (auto& t : threads) t.join();
}

Status ForEachFileDescriptor(const HostFs& fs, int64_t pid,
                             const std::function<void(int64_t fd, std::string_view target)>& fn) {
  std::string dir = ProcPidPath(pid, "fd");
  ASSIGN_OR_RETURN(std::vector<std::string> names, fs.ListDir(dir));
  std::string path = dir;
  path.push_back('/');
  const size_t base = path.size();
  for (const auto& name : names) {
    int64_t fd = 0;
    if (!IsDecimal(name) || !ParseInt64(name, &fd)) continue;
    path.resize(base);
    path.append(name);
    auto target = fs.ReadLink(path);
    if (!target.ok()) {
      // Access to a process's descriptors is all or nothing (ptrace rules):
      // one refusal means the rest would be refused too.
      if (target.status().code() == StatusCode::kPermissionDenied) return target.status();
      continue;  // closed since the listing
    }
    fn(fd, *target);
  }
  return Status::Ok();
}

Result<std::vector<FileDescriptor>> ListFileDescriptors(const HostFs& fs, int64_t pid) {
  std::vector<FileDescriptor> fds;
  RETURN_IF_ERROR(ForEachFileDescriptor(fs, pid, [&](int64_t fd, std::string_view target) {
    fds.push_back(FileDescriptor{fd, std::string(target)});
  }));
  std::sort(fds.begin(), fds.end(),
            [](const FileDescriptor& a, const FileDescriptor& b) { return a.fd < b.fd; });
  return fds;
}

}  // namespace warden
