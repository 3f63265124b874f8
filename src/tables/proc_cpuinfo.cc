#include "tables/proc_cpuinfo.h"

#include <set>
#include <utility>

#include "core/strings.h"

namespace warden {

const std::string& CpuInfoProcessor::Get(const std::string& key) const {
  static const std::string kEmpty;
  auto it = fields.find(key);
  return it == fields.end() ? kEmpty : it->second;
}

std::optional<int64_t> CpuInfoProcessor::GetInteger(const std::string& key) const {
  auto it = fields.find(key);
  if (it == fields.end()) return std::nullopt;
  int64_t v = 0;
  std::string_view text = it->second;
  int base = 10;
  if (StartsWith(text, "0x")) {
    text.remove_prefix(2);
    base = 16;
  }
  if (!ParseInt64(text, &v, base)) return std::nullopt;
  return v;
}

std::vector<CpuInfoProcessor> ParseCpuInfo(std::string_view text) {
  std::vector<CpuInfoProcessor> processors;
  CpuInfoProcessor current;
  auto flush = [&] {
    if (!current.fields.empty() && current.fields.count("processor") > 0)
      processors.push_back(std::move(current));
    current = CpuInfoProcessor();
  };
  for (std::string_view line : SplitString(text, '\n')) {
    if (TrimWhitespace(line).empty()) {
      flush();
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string key(TrimWhitespace(line.substr(0, colon)));
    // A second "processor" line without a blank line between starts a new block.
    if (key == "processor" && current.fields.count("processor") > 0) flush();
    current.fields[key] = std::string(TrimWhitespace(line.substr(colon + 1)));
  }
  flush();
  return processors;
}

std::vector<CpuInfoProcessor> ReadCpuInfo(const HostFs& fs) {
  auto text = fs.ReadFile("/proc/cpuinfo", 16u << 20);
  if (!text.ok()) return {};
  return ParseCpuInfo(*text);
}

int64_t CountPhysicalCores(const std::vector<CpuInfoProcessor>& processors) {
  std::set<std::pair<std::string, std::string>> cores;
  for (const auto& p : processors) {
    if (p.fields.count("core id") == 0) return static_cast<int64_t>(processors.size());
    cores.emplace(p.Get("physical id"), p.Get("core id"));
  }
  return static_cast<int64_t>(cores.size());
}

int64_t CountSockets(const std::vector<CpuInfoProcessor>& processors) {
  std::set<std::string> sockets;
  for (const auto& p : processors)
    if (p.fields.count("physical id") > 0) sockets.insert(p.Get("physical id"));
  if (sockets.empty()) return processors.empty() ? 0 : 1;
  return static_cast<int64_t>(sockets.size());
}

}  // namespace warden
