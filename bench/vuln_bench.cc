// Vulnerability scanning at full size: generates, in a temporary directory, a
// feed of realistic shape and size (50,000 Debian Security Tracker CVE entries
// across 5 releases, and an OSV all.zip of 100,000 records for Debian,
// Ubuntu and AlmaLinux) plus a Debian 12 root with 2,000 installed packages,
// then measures
//   - import throughput of each feed (records/s, MB/s) into a fresh database;
//   - `warden scan vulns` on the 2,000 packages: wall time and peak RSS of the
//     real command in a fresh process (this binary re-executed, so nothing the
//     generator allocated is counted), against the targets 200 ms / 100 MB;
//   - the in-process scan (inventory + match + findings) with Google Benchmark.
// Nothing generated is kept: the directory is removed at exit.
// Usage: build-helpers/bench/vuln_bench [--workdir DIR] [--benchmark_...]
// (--workdir keeps the generated data in DIR, for profiling).
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zip.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "cli/warden_cli.h"
#include "core/time_format.h"
#include "vuln/advisory_matcher.h"
#include "vuln/feed_database.h"
#include "vuln/feed_importer.h"
#include "vuln/scan_target.h"
#include "vuln/vulnerability_finding.h"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kTrackerCves = 50000;
constexpr int kSourcePackages = 9000;
constexpr int kOsvRecords = 100000;
constexpr int kInstalled = 2000;
constexpr double kScanTargetMs = 200;
constexpr double kScanTargetMb = 100;

struct Workspace {
  std::string dir;
  std::string tracker, osv_zip, db, root;
  ~Workspace() {
    std::error_code ec;
    if (!dir.empty()) std::filesystem::remove_all(dir, ec);
  }
};

std::string PackageName(int i) {
  static const char* kStems[] = {"lib",     "python3-", "node-", "golang-",
                                 "r-cran-", "",         "ruby-", "perl-"};
  return std::string(kStems[i % 8]) + "pkg" + std::to_string(i);
}

// A Debian source version for package i: [epoch:]upstream-revision.
std::string SourceVersion(int i) {
  std::string v = std::to_string(1 + i % 7) + "." + std::to_string(i % 23) + "." +
                  std::to_string(i % 5) + "-" + std::to_string(1 + i % 4);
  if (i % 11 == 0) v = "1:" + v;
  if (i % 3 == 0) v += "+deb12u" + std::to_string(1 + i % 3);
  return v;
}

void GenerateTracker(const std::string& path, std::mt19937& rng) {
  std::ofstream out(path);
  static const char* kReleases[] = {"bookworm", "bullseye", "buster", "trixie", "sid"};
  static const char* kUrgency[] = {"low",   "medium",      "high",
                                   "low**", "unimportant", "not yet assigned"};
  out << "{\n";
  int cve = 0;
  for (int p = 0; p < kSourcePackages && cve < kTrackerCves; ++p) {
    int count = (p == kSourcePackages - 1) ? kTrackerCves - cve : 1 + static_cast<int>(rng() % 10);
    count = std::min(count, kTrackerCves - cve);
    if (count <= 0) break;
    out << (p ? ",\n" : "") << "  \"" << PackageName(p) << "\": {\n";
    for (int c = 0; c < count; ++c, ++cve) {
      out << (c ? ",\n" : "") << "    \"CVE-" << 2015 + cve % 10 << "-" << 10000 + cve << "\": {\n"
          << "      \"scope\": \"remote\", \"debianbug\": " << 900000 + cve << ",\n"
          << "      \"description\": \"A buffer overflow in the parser of " << PackageName(p)
          << " allows remote attackers to cause a denial of service or possibly execute arbitrary "
             "code via a crafted "
             "file.\",\n      \"releases\": {";
      for (int r = 0; r < 5; ++r) {
        unsigned roll = rng() % 100;
        out << (r ? ", " : "") << "\"" << kReleases[r] << "\": {";
        // For bookworm (the scanned host's release) the host is a few months
        // behind: most fixes are installed (fixed == installed), some are
        // pending (a newer security upload), a few CVEs are open.
        if (roll < 67) {
          out << "\"status\": \"resolved\", \"fixed_version\": \"" << SourceVersion(p) << "\"";
        } else if (roll < 75) {
          out << "\"status\": \"resolved\", \"fixed_version\": \"" << SourceVersion(p)
              << "+deb12u9\"";
        } else if (roll < 85) {
          out << "\"status\": \"resolved\", \"fixed_version\": \"0\"";
        } else if (roll < 97) {
          out << "\"status\": \"open\"";
          if (roll % 3 == 0) out << ", \"nodsa\": \"Minor issue\", \"nodsa_reason\": \"postponed\"";
        } else {
          out << "\"status\": \"undetermined\"";
        }
        out << ", \"repositories\": {\"" << kReleases[r] << "\": \"" << SourceVersion(p)
            << "\"}, \"urgency\": \"" << kUrgency[rng() % 6] << "\"}";
      }
      out << "}\n    }";
    }
    out << "\n  }";
  }
  out << "\n}\n";
}

std::string OsvRecordJson(int i, std::mt19937& rng) {
  int p = static_cast<int>(rng() % kSourcePackages);
  std::string ecosystem, name = PackageName(p), fixed, id;
  switch (i % 5) {
    case 0:
    case 1:
    case 2:
      ecosystem = "Debian:12";
      id = (i % 2 ? "DSA-" : "DLA-") + std::to_string(3000 + i) + "-1";
      // Nine in ten advisories are already installed on the scanned host.
      fixed = SourceVersion(p) + (rng() % 10 == 0 ? "+deb12u9" : "");
      break;
    case 3:
      ecosystem = "Ubuntu:22.04:LTS";
      id = "UBUNTU-CVE-2024-" + std::to_string(20000 + i);
      fixed = std::to_string(1 + p % 7) + ".0-" + std::to_string(p % 9) + "ubuntu0.22.04.1";
      break;
    default:
      ecosystem = "AlmaLinux:9";
      id = "ALSA-2024:" + std::to_string(i);
      fixed = std::to_string(p % 3) + ":" + std::to_string(1 + p % 7) + ".2-" +
              std::to_string(p % 40) + ".el9_4";
      break;
  }
  return "{\"schema_version\": \"1.6.0\", \"id\": \"" + id +
         "\", \"modified\": \"2024-06-01T12:00:00Z\"," +
         " \"published\": \"2024-05-01T00:00:00Z\", \"aliases\": [\"CVE-2024-" +
         std::to_string(30000 + i) + "\"], \"summary\": \"" + name +
         " security update\", \"details\": \"Several vulnerabilities were "
         "discovered in " +
         name +
         " which could result in denial of service.\", \"severity\": [{\"type\": "
         "\"CVSS_V3\", \"score\": \"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H\"}], "
         "\"affected\": [{\"package\": "
         "{\"ecosystem\": \"" +
         ecosystem + "\", \"name\": \"" + name + "\", \"purl\": \"pkg:deb/debian/" + name +
         "\"}, \"ranges\": [{\"type\": \"ECOSYSTEM\", \"events\": [{\"introduced\": \"0\"}, "
         "{\"fixed\": \"" +
         fixed + "\"}]}], \"database_specific\": {\"source\": \"https://example.invalid/" + id +
         ".json\"}}],"
         " \"references\": [{\"type\": \"ADVISORY\", \"url\": "
         "\"https://security-tracker.debian.org/tracker/" +
         id + "\"}]}";
}

bool GenerateOsvZip(const std::string& path, std::mt19937& rng) {
  int err = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  if (z == nullptr) return false;
  for (int i = 0; i < kOsvRecords; ++i) {
    std::string json = OsvRecordJson(i, rng);
    // Let libzip own a copy: 100k buffers must outlive zip_close otherwise.
    void* copy = std::malloc(json.size());
    std::memcpy(copy, json.data(), json.size());
    zip_source_t* src = zip_source_buffer(z, copy, json.size(), 1);
    std::string name = "record-" + std::to_string(i) + ".json";
    if (zip_file_add(z, name.c_str(), src, ZIP_FL_OVERWRITE) < 0) return false;
  }
  return zip_close(z) == 0;
}

void GenerateRoot(const std::string& root) {
  std::filesystem::create_directories(root + "/etc");
  std::filesystem::create_directories(root + "/var/lib/dpkg");
  std::filesystem::create_directories(root + "/proc/sys/kernel");
  std::ofstream(root + "/etc/os-release")
      << "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian "
         "GNU/Linux\"\nVERSION_ID=\"12\"\n"
         "VERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n";
  std::ofstream(root + "/proc/sys/kernel/osrelease") << "6.1.0-18-amd64\n";
  std::ofstream status(root + "/var/lib/dpkg/status");
  // 2,000 binaries from ~1,200 source packages (libraries ship several binaries).
  for (int i = 0; i < kInstalled; ++i) {
    int source = (i * 7) % (kSourcePackages - 1);
    if (i % 5 == 4) source = ((i - 1) * 7) % (kSourcePackages - 1);
    std::string binary = PackageName(source) + (i % 5 == 4 ? "-bin" : "");
    status << "Package: " << binary
           << "\nStatus: install ok installed\nPriority: optional\nSection: libs\n"
           << "Installed-Size: " << 100 + i
           << "\nMaintainer: Debian Bench <bench@debian.org>\nArchitecture: amd64\n"
           << "Source: " << PackageName(source) << " (" << SourceVersion(source) << ")\n"
           << "Version: " << SourceVersion(source) << "+b1\nDepends: libc6 (>= 2.34)\n"
           << "Description: benchmark package " << i << "\n Long description line.\n\n";
  }
}

Workspace* g_ws = nullptr;
bool g_include_unfixed = false;

void BM_ScanInProcess(benchmark::State& state) {
  warden::HostFs fs(g_ws->root);
  size_t findings = 0;
  for (auto _ : state) {
    auto db = warden::FeedDatabase::OpenReadOnly(g_ws->db);
    auto target = warden::ReadScanTarget(fs);
    auto matches = warden::MatchVulnerabilities(**db, *target);
    std::vector<warden::Finding> out;
    for (const auto& m : *matches)
      out.push_back(warden::MakeLeanVulnerabilityFinding(m, *target, 0));
    findings = out.size();
    benchmark::DoNotOptimize(out);
  }
  state.counters["findings"] = static_cast<double>(findings);
  state.counters["packages"] = kInstalled;
}

// The phases of a scan on their own, to see where time goes.
void BM_ReadInventory(benchmark::State& state) {
  warden::HostFs fs(g_ws->root);
  for (auto _ : state) benchmark::DoNotOptimize(warden::ReadScanTarget(fs));
}

void BM_MatchOnly(benchmark::State& state) {
  warden::HostFs fs(g_ws->root);
  auto target = warden::ReadScanTarget(fs);
  auto db = warden::FeedDatabase::OpenReadOnly(g_ws->db);
  size_t matches = 0;
  for (auto _ : state) {
    auto m = warden::MatchVulnerabilities(**db, *target);
    matches = m->size();
    benchmark::DoNotOptimize(m);
  }
  state.counters["matches"] = static_cast<double>(matches);
}

struct ChildRun {
  double wall_ms = 0;
  double cpu_ms = 0;  // user + system: what the scan costs, whatever else the machine runs
  double max_rss_mb = 0;
  int exit_code = -1;
};

// Runs `warden scan vulns` as this binary re-executed (see main), so peak RSS
// is the command's own.
ChildRun RunScanChild() {
  ChildRun run;
  auto start = Clock::now();
  const std::string rss_file = g_ws->dir + "/child-rss";
  setenv("VULN_BENCH_RSS_FILE", rss_file.c_str(), 1);
  // posix_spawn, not fork: copying this process's page tables (hundreds of
  // MB after generating the feeds) would be counted in the command's time.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  std::vector<std::string> args = {"vuln_bench", "--scan-child", "scan",     "vulns",    "--db",
                                   g_ws->db,     "--root",       g_ws->root, "--format", "json"};
  if (g_include_unfixed) args.push_back("--include-unfixed");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, "/proc/self/exe", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return run;
  int status = 0;
  struct rusage usage {};
  wait4(pid, &status, 0, &usage);
  run.cpu_ms = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000.0 +
               static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000.0;
  run.wall_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  std::ifstream rss(g_ws->dir + "/child-rss");
  double kb = 0;
  rss >> kb;  // "  61234 kB"
  run.max_rss_mb = kb / 1024.0;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "--scan-child") {
    // argv[1] becomes the program name for the CLI parser.
    int rc = warden::RunWardenCli(argc - 1, argv + 1);
    // The peak RSS of this process image alone: getrusage/wait4 would also
    // count the pages of the parent that fork() copied before exec.
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
      if (line.rfind("VmHWM:", 0) == 0)
        std::ofstream(std::getenv("VULN_BENCH_RSS_FILE")) << line.substr(6);
    return rc;
  }
  Workspace ws;
  std::string keep_dir;  // --workdir DIR: generate there and keep it (for profiling)
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string(argv[i]) == "--workdir") keep_dir = argv[i + 1];
  if (!keep_dir.empty()) {
    std::filesystem::create_directories(keep_dir);
    ws.dir = keep_dir;
  } else {
    char tmpl[] = "/tmp/warden-vuln-bench-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) return 2;
    ws.dir = tmpl;
  }
  ws.tracker = ws.dir + "/tracker.json";
  ws.osv_zip = ws.dir + "/osv-all.zip";
  ws.db = ws.dir + "/feeds.db";
  ws.root = ws.dir + "/root";
  g_ws = &ws;
  std::string kept = keep_dir;
  struct KeepGuard {
    Workspace& w;
    bool keep;
    ~KeepGuard() {
      if (keep) w.dir.clear();  // the destructor removes only what it owns
    }
  } keep_guard{ws, !kept.empty()};
  if (!kept.empty()) std::filesystem::remove(ws.db);

  std::mt19937 rng(20240601);
  auto t0 = Clock::now();
  GenerateTracker(ws.tracker, rng);
  if (!GenerateOsvZip(ws.osv_zip, rng)) {
    std::cerr << "cannot write " << ws.osv_zip << "\n";
    return 2;
  }
  GenerateRoot(ws.root);
  std::printf(
      "generated in %.1f s: tracker %.1f MB (%d CVE entries x 5 releases), OSV zip %.1f MB (%d "
      "records)\n",
      std::chrono::duration<double>(Clock::now() - t0).count(),
      static_cast<double>(std::filesystem::file_size(ws.tracker)) / 1e6, kTrackerCves,
      static_cast<double>(std::filesystem::file_size(ws.osv_zip)) / 1e6, kOsvRecords);

  std::printf("\n%-28s %12s %12s %10s\n", "import", "records", "seconds", "records/s");
  for (const std::string& file : {ws.tracker, ws.osv_zip}) {
    auto start = Clock::now();
    auto summary = warden::ImportFeeds(ws.db, {file});
    double s = std::chrono::duration<double>(Clock::now() - start).count();
    if (!summary.ok()) {
      std::cerr << summary.status().message() << "\n";
      return 2;
    }
    std::printf("%-28s %12llu %12.2f %10.0f   (%.1f MB/s of input)\n",
                std::filesystem::path(file).filename().c_str(),
                static_cast<unsigned long long>(summary->records), s,
                static_cast<double>(summary->records) / s,
                static_cast<double>(std::filesystem::file_size(file)) / 1e6 / s);
  }
  std::printf("feed database: %.1f MB\n",
              static_cast<double>(std::filesystem::file_size(ws.db)) / 1e6);

  // The real command, five runs in fresh processes, as CI runs it (fixable
  // findings) and with --include-unfixed (every open CVE too).
  bool all_ok = true;
  for (bool unfixed : {false, true}) {
    g_include_unfixed = unfixed;
    std::vector<ChildRun> runs;
    for (int i = 0; i < 5; ++i) runs.push_back(RunScanChild());
    std::sort(runs.begin(), runs.end(),
              [](const ChildRun& a, const ChildRun& b) { return a.wall_ms < b.wall_ms; });
    double max_rss = 0;
    for (const auto& r : runs) max_rss = std::max(max_rss, r.max_rss_mb);
    const ChildRun& median = runs[runs.size() / 2];
    std::printf("\nwarden scan vulns --format json%s (%d packages, fresh process)\n",
                unfixed ? " --include-unfixed" : "", kInstalled);
    std::printf("%-32s %10s %10s %8s\n", "", "measured", "target", "ratio");
    const ChildRun& fastest = runs.front();
    double min_cpu = runs.front().cpu_ms;
    for (const auto& r : runs) min_cpu = std::min(min_cpu, r.cpu_ms);
    auto line = [](const char* what, double value, const char* unit, double target) {
      std::printf("%-32s %7.1f %s %7.0f %s %8.2f %s\n", what, value, unit, target, unit,
                  value / target, value < target ? "OK" : "OVER");
    };
    line("  wall time (best of 5)", fastest.wall_ms, "ms", kScanTargetMs);
    line("  wall time (median of 5)", median.wall_ms, "ms", kScanTargetMs);
    line("  CPU time, user+sys (best of 5)", min_cpu, "ms", kScanTargetMs);
    std::printf("%-32s %7.1f MB %7.0f MB %8.2f %s\n", "  peak RSS (max of 5)", max_rss,
                kScanTargetMb, max_rss / kScanTargetMb, max_rss < kScanTargetMb ? "OK" : "OVER");
    std::printf("%-32s %10d\n", "  exit code (1 = findings)", median.exit_code);
    all_ok = all_ok && median.wall_ms < kScanTargetMs && max_rss < kScanTargetMb &&
             median.exit_code == 1;
  }
  std::printf("\n");

  benchmark::RegisterBenchmark("BM_ReadInventory", BM_ReadInventory)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_MatchOnly", BM_MatchOnly)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_ScanInProcess", BM_ScanInProcess)->Unit(benchmark::kMillisecond);
  std::vector<char*> bench_args;
  for (int i = 0; i < argc; ++i) {
    if (std::string(argv[i]) == "--workdir") {
      ++i;
      continue;
    }
    bench_args.push_back(argv[i]);
  }
  int bench_argc = static_cast<int>(bench_args.size());
  benchmark::Initialize(&bench_argc, bench_args.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return all_ok ? 0 : 1;
}
