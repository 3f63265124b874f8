// Labels in use: every label at least one host carries, with how many
// hosts carry it (revoked hosts included, as the host list shows them).
// Kept by the store as hosts are enrolled, labelled and deleted, so the
// list pages like any other. Read-only; thread-safe.
// Not here: changing a host's labels (host_repository.h).
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"
#include "store/list_query.h"

namespace warden::store {

struct LabelCount {
  int64_t id = 0;  // the store's, for paging only
  std::string name;
  int64_t host_count = 0;
};

// Fields: id, name, host_count (sortable; default name); name_contains
// (text, equality only: names containing the value, case-insensitively).
const ListSchema& LabelListSchema();

class LabelRepository {
 public:
  virtual ~LabelRepository() = default;
  virtual Result<ListPage<LabelCount>> List(const ListQuery& query) = 0;
  virtual Status Export(const ListQuery& query, const RowCallback<LabelCount>& row) = 0;
};

}  // namespace warden::store
