// Shared by the store's tests: a Store on a real SQLite file in a fresh
// temporary directory, reopenable, plus small builders of test rows. The
// tests speak only the Store interface, so they can run against another
// engine's implementation too.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "store/sqlite/sqlite_store.h"
#include "store/store.h"
#include "testing/test_util.h"

namespace warden::store {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open(SqliteStoreOptions options = {}) {
    store_.reset();
    options.path = path();
    auto opened = OpenSqliteStore(options);
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    store_ = std::move(*opened);
  }
  void Close() { store_.reset(); }
  std::string path() const { return dir_.path() + "/server.db"; }
  Store& store() { return *store_; }

  // Writes and waits; fails the test on error.
  template <typename Fn>
  auto MustWrite(Fn fn) {
    auto result = store_->Write(std::move(fn)).Wait();
    EXPECT_TRUE(result.ok()) << result.status().message();
    return result;
  }

  static AuditEntry Entry(std::string action, EpochMs time) {
    AuditEntry e;
    e.time = time;
    e.actor_type = ActorType::kUser;
    e.actor_id = "1";
    e.actor_name = "admin";
    e.action = std::move(action);
    e.target_type = "host";
    e.target_id = "7";
    e.source_ip = "127.0.0.1";
    e.request_id = "req";
    return e;
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
};

}  // namespace warden::store
