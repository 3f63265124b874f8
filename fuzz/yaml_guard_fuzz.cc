// libFuzzer target for the YAML guard (CheckYamlInput) every YAML input goes
// through before yaml-cpp builds nodes. Checks its promise rather than only
// "no crash": whatever text it accepts, yaml-cpp then either loads or fails
// with a syntax error, and the tree a reader walks (aliases followed, so
// expanded) has no more nodes and no more nesting than the limits allowed.
// Runs once with small limits (so the fuzzer can reach them with short
// inputs) and once with the defaults. Walks iteratively, stopping just past
// the limit, so a guard bug shows as an abort, not as a hang.
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "core/yaml_reader.h"

namespace {

// Nodes and the deepest nesting of collections a reader meets in `docs`,
// counting keys as nodes like the guard does; stops once past `limits`.
std::pair<uint64_t, int> Walk(const std::vector<YAML::Node>& docs,
                              const warden::YamlLimits& limits) {
  uint64_t nodes = 0;
  int deepest = 0;
  std::vector<std::pair<YAML::Node, int>> stack;  // (node, collections around it)
  for (const YAML::Node& d : docs) stack.emplace_back(d, 0);
  while (!stack.empty() && nodes <= limits.max_nodes && deepest <= limits.max_depth) {
    auto [node, depth] = stack.back();
    stack.pop_back();
    ++nodes;
    if (node.IsSequence()) {
      deepest = std::max(deepest, depth + 1);
      for (const YAML::Node& item : node) stack.emplace_back(item, depth + 1);
    } else if (node.IsMap()) {
      deepest = std::max(deepest, depth + 1);
      for (auto it = node.begin(); it != node.end(); ++it) {
        stack.emplace_back(it->first, depth + 1);
        stack.emplace_back(it->second, depth + 1);
      }
    }
  }
  return {nodes, deepest};
}

void Check(const std::string& text, const warden::YamlLimits& limits) {
  if (!warden::CheckYamlInput(text, "fuzz.yml", limits).ok()) return;
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(text);
  } catch (const YAML::Exception&) {
    return;  // a syntax error the guard leaves to the caller's parse
  }
  auto [nodes, deepest] = Walk(docs, limits);
  if (nodes > limits.max_nodes || deepest > limits.max_depth) abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  warden::YamlLimits small;
  small.max_bytes = 1 << 16;
  small.max_depth = 8;
  small.max_nodes = 500;
  Check(text, small);
  Check(text, warden::YamlLimits{});
  return 0;
}
