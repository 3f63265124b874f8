// A fixture root for the tests of what the per-user tables read in a home a
// user controls: one account (u, uid 5, home /home/u), a secret that only
// root may read (/etc/shadow, /root/...), and helpers to plant what such a
// user could (symlinks, FIFOs). QueryWithoutHanging runs a query that a FIFO
// could block on another thread and, if it has not returned in five
// seconds, opens the FIFOs for writing to release it, so that the test fails
// instead of hanging. Test-only; header-only.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <string>
#include <vector>

#include "testing/sql_test_util.h"
#include "testing/test_util.h"

namespace warden::testing {

inline constexpr const char* kShadowLine = "root:$6$secret-hash:19000:0:99999:7:::";

class HomeTrapRoot {
 public:
  HomeTrapRoot() {
    root_.WriteFile("etc/passwd", "root:x:0:0::/root:/bin/sh\nu:x:5:5::/home/u:/bin/sh\n");
    root_.WriteFile("etc/shadow", std::string(kShadowLine) + "\n");
    root_.WriteFile("home/u/.keep", "");
  }
  const std::string& path() const { return root_.path(); }
  std::string Write(const std::string& relative, const std::string& content) const {
    return root_.WriteFile(relative, content);
  }
  // A symlink at `relative` (a path in the root) with the given target.
  void Symlink(const std::string& target, const std::string& relative) const {
    std::string link = root_.path() + "/" + relative;
    ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0) << link;
  }
  void Fifo(const std::string& relative) {
    std::string fifo = root_.path() + "/" + relative;
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0) << fifo;
    fifos_.push_back(fifo);
  }

  QueryResult QueryWithoutHanging(const std::string& sql) const {
    SqlFixture db(root_.path());
    auto result = std::async(std::launch::async, [&] { return db.Query(sql); });
    if (result.wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
      ADD_FAILURE() << "query blocked on a FIFO: " << sql;
      for (const std::string& fifo : fifos_) {
        int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
        if (fd >= 0) ::close(fd);
      }
    }
    return result.get();
  }

 private:
  TempDir root_;
  std::vector<std::string> fifos_;
};

}  // namespace warden::testing
