#include "tables/command_capture.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <thread>

namespace warden {
namespace {

// Reaps the child, killing it first when it is still running.
class ChildProcess {
 public:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  ~ChildProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
    }
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Non-blocking: the exit status once the child has exited.
  std::optional<int> TryWait() {
    int status = 0;
    pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done != pid_) return std::nullopt;
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_;
};

class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) ::close(fd_);
  }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;

 private:
  int fd_;
};

}  // namespace

Result<CapturedOutput> CaptureCommandOutput(const std::vector<std::string>& argv,
                                            std::chrono::milliseconds timeout, size_t max_bytes,
                                            const std::function<bool()>& cancelled) {
  if (argv.empty() || argv[0].empty() || argv[0].front() != '/')
    return InvalidArgument("CaptureCommandOutput needs an absolute program path");
  if (::access(argv[0].c_str(), X_OK) != 0) return NotFound(argv[0] + ": not an executable");

  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return ErrnoStatus("pipe", errno);
  FdCloser read_end(pipe_fds[0]);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  char path_env[] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
  char locale_env[] = "LC_ALL=C";
  char* env[] = {path_env, locale_env, nullptr};
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, argv[0].c_str(), &actions, nullptr, args.data(), env);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (rc != 0) return IoError(argv[0] + ": cannot start: " + std::strerror(rc));
  ChildProcess child(pid);

  CapturedOutput result;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buffer[16384];
  bool eof = false;
  while (!eof) {
    if (cancelled && cancelled()) return Timeout(argv[0] + ": cancelled");
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return Timeout(argv[0] + ": did not finish in time");
    pollfd pfd{pipe_fds[0], POLLIN, 0};
    // Wake up now and then to notice cancellation.
    int ready = ::poll(&pfd, 1, static_cast<int>(std::min<int64_t>(left.count(), 100)));
    if (ready < 0 && errno != EINTR) return ErrnoStatus("poll", errno);
    if (ready <= 0) continue;
    ssize_t n = ::read(pipe_fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus("read", errno);
    if (n == 0) {
      eof = true;
      break;
    }
    size_t keep = std::min(static_cast<size_t>(n), max_bytes - result.out.size());
    result.out.append(buffer, keep);
    if (keep < static_cast<size_t>(n)) result.truncated = true;
  }
  // Output is complete; the program normally exits right after closing it.
  for (;;) {
    if (auto code = child.TryWait()) {
      result.exit_code = *code;
      return result;
    }
    if (std::chrono::steady_clock::now() > deadline || (cancelled && cancelled()))
      return Timeout(argv[0] + ": did not exit in time");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace warden
