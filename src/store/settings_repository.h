// Server settings that are changed at run time (through the API) rather
// than in server.yaml: a key/value table of text values (JSON where a value
// is structured). Reads are thread-safe; writes run inside a store
// transaction.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "store/list_query.h"

namespace warden::store {

struct Setting {
  std::string key;
  std::string value;
  EpochMs updated_at = 0;
};

class SettingsRepository {
 public:
  virtual ~SettingsRepository() = default;
  virtual Result<std::optional<Setting>> Get(std::string_view key) = 0;
  // Every setting, ordered by key.
  virtual Result<std::vector<Setting>> All() = 0;
};

class SettingsWriter {
 public:
  virtual ~SettingsWriter() = default;
  // Inserts or replaces. InvalidArgument when the key is empty.
  virtual Status Put(std::string_view key, std::string_view value, EpochMs at) = 0;
  virtual Result<bool> Delete(std::string_view key) = 0;
};

}  // namespace warden::store
