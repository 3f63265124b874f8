// Fuzzes the agent channel's record ingest: the input is a pushAgentRecords
// body, validated against the spec as the dispatcher does, prepared
// (PrepareRecordBatch) and, when both accept it, ingested into a real
// SQLite store in a temporary directory. Any JSON document is also fed to
// PrepareRecordBatch directly, whatever the spec says, so the preparation
// never relies on validation for its safety.
//
// Checks promises beyond "no crash": a batch the spec and the preparation
// accept is stored (the store refuses nothing that passed both); ingesting
// it again stores nothing and counts every record as a duplicate; a refused
// batch names a field that is a JSON pointer into the body.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/openapi_spec.h"
#include "api/request_validator.h"
#include "server/record_ingest.h"
#include "store/sqlite/sqlite_store.h"

namespace {

using warden::Json;

[[noreturn]] void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "agent_records_fuzz: %s: %s\n", what, detail.c_str());
  std::abort();
}

struct Fixture {
  const warden::api::Operation* operation = nullptr;
  std::unique_ptr<warden::store::Store> store;
  warden::server::IngestHost host;
};

Fixture& Get() {
  static Fixture* fixture = [] {
    auto* f = new Fixture();
    auto spec = warden::api::OpenApiSpec::Embedded();
    if (!spec.ok()) Fail("embedded spec", spec.status().message());
    f->operation = (*spec)->FindById("pushAgentRecords");
    if (f->operation == nullptr) Fail("spec", "no pushAgentRecords");
    char dir[] = "/tmp/agent_records_fuzz.XXXXXX";
    if (mkdtemp(dir) == nullptr) Fail("mkdtemp", "failed");
    warden::store::SqliteStoreOptions options;
    options.path = std::string(dir) + "/server.db";
    options.synchronous_full = false;
    auto store = warden::store::OpenSqliteStore(options);
    if (!store.ok()) Fail("store", store.status().message());
    f->store = std::move(*store);
    auto secret = f->store
                      ->Write([](warden::store::StoreWriter& w) {
                        warden::store::NewEnrolSecret s;
                        s.name = "fuzz";
                        s.sha256 = "fuzz";
                        s.created_at = 1;
                        return w.enrol_secrets().Create(s);
                      })
                      .Wait();
    if (!secret.ok()) Fail("secret", secret.status().message());
    auto host = f->store
                    ->Write([id = secret->id](warden::store::StoreWriter& w) {
                      warden::store::HostEnrolment e;
                      e.machine_id = "m";
                      e.hostname = "fuzz-host";
                      e.enrol_secret_id = id;
                      e.node_key_sha256 = "k";
                      e.now = 1;
                      return w.hosts().Enrol(e);
                    })
                    .Wait();
    if (!host.ok()) Fail("host", host.status().message());
    f->host = {host->host.id, host->host.hostname};
    return f;
  }();
  return *fixture;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  (void)Get();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Fixture& f = Get();
  std::string body(reinterpret_cast<const char*>(data), size);

  // Whatever the spec says: preparation alone must hold up.
  Json any = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!any.is_discarded()) {
    warden::server::PreparedRecordBatch loose = warden::server::PrepareRecordBatch(any);
    if (loose.error && !loose.error->field.empty() && loose.error->field.front() != '/')
      Fail("error field is not a JSON pointer", loose.error->field);
  }

  std::vector<std::pair<std::string, std::string>> headers = {{"Content-Type", "application/json"}};
  warden::api::ApiRequest request{{}, {}, headers, body};
  warden::api::ValidatedRequest validated;
  if (warden::api::ValidateRequest(*f.operation, request, &validated)) return 0;
  if (!validated.body) Fail("validated without a body", body.substr(0, 200));

  warden::server::PreparedRecordBatch batch = warden::server::PrepareRecordBatch(*validated.body);
  if (batch.error) return 0;  // the spec allows more than the server stores
  const size_t records = batch.records.size();
  warden::server::PreparedRecordBatch again = batch;
  auto first = warden::server::IngestRecordBatch(*f.store, f.host, std::move(batch), 1).Wait();
  if (!first.ok()) Fail("a prepared batch was refused by the store", first.status().message());
  if (static_cast<size_t>(first->accepted + first->duplicates) != records)
    Fail("records lost", std::to_string(records));
  auto second = warden::server::IngestRecordBatch(*f.store, f.host, std::move(again), 2).Wait();
  if (!second.ok()) Fail("the resend was refused", second.status().message());
  if (second->accepted != 0 || static_cast<size_t>(second->duplicates) != records)
    Fail("a resent batch was stored again", std::to_string(second->accepted));
  return 0;
}
