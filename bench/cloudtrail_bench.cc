// CloudTrail rule evaluation at line rate, against jq. Generates ~200 MB of
// CloudTrail JSON lines in a temporary directory (events modelled on the real
// attack-simulation samples in tests/fixtures/cloudtrail (or --samples=DIR):
// each sample event is re-emitted with a fresh eventID, eventTime, requestID
// and source address; else on built-in templates), then measures on one core:
//   - jq_rtm011:      jq over the file with a filter equivalent to the five
//                     RTM-011 seed rows (test() is Oniguruma, which supports
//                     the (?!ec2) lookahead), printing matching eventIDs;
//   - warden_rtm011:  the same rows as one Warden rule, file -> reader ->
//                     simdjson extraction -> evaluator, counting matches;
//   - warden_100_rules: 100 rules loaded (built-in catalog, RTM-011 and 60
//                     generated rules of every operator kind);
//   - warden_rtm011_findings: as warden_rtm011 but building every finding and
//                     rendering it as a JSON line (what `trail scan -f jsonl`
//                     does), to show the cost of output.
// Checks that Warden and jq select the same number of events, then prints
// events/s for each and the speed-up over jq. Nothing generated is kept.
// Usage: build/bench/cloudtrail_bench [--mb=200] [--samples=DIR]
//        [--workdir=DIR] [--cache=read|written] [--benchmark_...]
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "cloud/builtin_catalog.h"
#include "cloud/cloudtrail_reader.h"
#include "cloud/trail_scanner.h"
#include "core/finding.h"
#include "rules/rule_yaml_loader.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Workspace {
  std::string dir, events, jq_filter;
  bool keep = false;
  uint64_t event_count = 0, bytes = 0;
  ~Workspace() {
    std::error_code ec;
    if (!dir.empty() && !keep) std::filesystem::remove_all(dir, ec);
  }
};
Workspace g_ws;

struct Result {
  double events_per_second = 0;      // wall clock
  double events_per_cpu_second = 0;  // CPU time (user + system): one core's rate on a busy machine
  uint64_t matches = 0;
};
Result g_jq, g_rtm, g_100, g_findings;

const char* kSeedRows = R"(
- id: RTM-011
  title: Unintended AWS API calls
  risk_level: very_high
  patterns:
    - {eventName: '.*', eventSource: 'iam.amazonaws.com', userIdentityType: 'IAMUser'}
    - {eventName: 'DeleteTrail', eventSource: 'cloudtrail.amazonaws.com', userIdentityType: '.*'}
    - {eventName: 'StartInstances', eventSource: 'ec2.amazonaws.com', userIdentityType: 'IAMUser'}
    - {eventName: '^Create*|^Delete*|^Update*|^Put*|^Stop*', eventSource: '.*', userIdentityType: '.*'}
    - {eventName: '^Create*|^Delete*|^Update*|^Stop*', eventSource: '^(?!ec2).*$', userIdentityType: '.*'}
)";

// jq's equivalent: a missing or null field is "" (Warden's rule), test() is a
// search like Warden's regex.
const char* kJqFilter = R"(def m($f; $r): ($f // "") | test($r);
select(
  (m(.eventName; ".*") and m(.eventSource; "iam.amazonaws.com") and m(.userIdentity.type; "IAMUser")) or
  (m(.eventName; "DeleteTrail") and m(.eventSource; "cloudtrail.amazonaws.com") and m(.userIdentity.type; ".*")) or
  (m(.eventName; "StartInstances") and m(.eventSource; "ec2.amazonaws.com") and m(.userIdentity.type; "IAMUser")) or
  (m(.eventName; "^Create*|^Delete*|^Update*|^Put*|^Stop*") and m(.eventSource; ".*") and m(.userIdentity.type; ".*")) or
  (m(.eventName; "^Create*|^Delete*|^Update*|^Stop*") and m(.eventSource; "^(?!ec2).*$") and m(.userIdentity.type; ".*"))
) | .eventID
)";

std::vector<warden::Rule> Rules(const std::string& yaml) {
  warden::RuleLoadResult r = warden::LoadRulesFromText(yaml, "bench.yaml");
  if (r.has_errors()) {
    std::cerr << r.FirstError().message() << "\n";
    std::exit(2);
  }
  return r.rules;
}

// 61 rules of every kind, over names and sources that occur in the data.
std::string GeneratedRules() {
  static const char* kNames[] = {
      "DescribeInstances", "GetObject",           "PutObject",       "AssumeRole",
      "Decrypt",           "GetParameter",        "ListBuckets",     "CreateRole",
      "DeleteBucket",      "RunInstances",        "GetSecretValue",  "DescribeRouteTables",
      "GetUser",           "ListTagsForResource", "DeleteParameter", "PutParameter",
      "DescribeVpcs",      "GetBucketAcl",        "Encrypt",         "CreateSecret"};
  static const char* kSources[] = {
      "ec2.amazonaws.com", "s3.amazonaws.com",  "sts.amazonaws.com",           "kms.amazonaws.com",
      "ssm.amazonaws.com", "iam.amazonaws.com", "secretsmanager.amazonaws.com"};
  std::ostringstream y;
  for (int i = 0; i < 61; ++i) {
    const char* name = kNames[i % 20];
    const char* source = kSources[i % 7];
    y << "- id: GEN-" << i << "\n  risk_level: medium\n";
    switch (i % 6) {
      case 0:
        y << "  match: {eventName: " << name << ", eventSource: " << source
          << ", errorCode: {exists: true}}\n";
        break;
      case 1:
        y << "  match: {eventName: {regex: '^" << std::string(name).substr(0, 6)
          << "'}, userIdentity.type: {in: [Root, FederatedUser]}}\n";
        break;
      case 2:
        y << "  match: {eventName: [" << name << ", " << kNames[(i + 3) % 20]
          << "], userAgent: {contains: 'python-requests', ignore_case: true}}\n";
        break;
      case 3:
        y << "  match: {eventName: " << name
          << ", sourceIPAddress: {cidr: [198.51.100.0/24, '2001:db8::/32']}}\n";
        break;
      case 4:
        y << "  patterns:\n    - {eventName: '^" << name << "$', eventSource: '^(?!" << source
          << ")', userIdentityType: 'AssumedRole'}\n    - {eventName: 'Delete.*Policy', "
             "userIdentityType: 'Root'}\n";
        break;
      case 5:
        y << "  match: {eventSource: " << source
          << ", userIdentity.arn: {startswith: 'arn:aws:iam::999999999999:'}, "
          << "eventName: {endswith: " << std::string(name).substr(3) << "}}\n";
        break;
    }
  }
  return y.str();
}

std::string RandomId(std::mt19937_64& rng) {
  static const char* kHex = "0123456789abcdef";
  std::string s = "xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx";
  for (char& c : s)
    if (c == 'x') c = kHex[rng() & 15];
  return s;
}

std::vector<warden::Json> LoadTemplates(const std::string& samples) {
  std::vector<warden::Json> out;
  std::error_code ec;
  if (!samples.empty() && std::filesystem::is_directory(samples, ec)) {
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(samples, ec))
      if (e.path().extension() == ".json") files.push_back(e.path().string());
    std::sort(files.begin(), files.end());
    for (const std::string& f : files) {
      std::ifstream in(f);
      warden::Json doc = warden::Json::parse(in, nullptr, false);
      if (doc.is_object() && doc.contains("Records"))
        for (auto& r : doc["Records"]) out.push_back(r);
    }
  }
  if (out.empty()) {
    // Built-in templates in CloudTrail's shape when the samples are absent.
    const char*
        kTemplates
            [] =
                {
                    R"({"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::123456789012:user/alice","accountId":"123456789012","accessKeyId":"AKIAEXAMPLE","userName":"alice"},"eventTime":"","eventSource":"iam.amazonaws.com","eventName":"ListUsers","awsRegion":"us-east-1","sourceIPAddress":"","userAgent":"aws-cli/2.11.0 Python/3.11.2 Linux/5.15 exe/x86_64","requestParameters":null,"responseElements":null,"requestID":"","eventID":"","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.2","cipherSuite":"ECDHE-RSA-AES128-GCM-SHA256","clientProvidedHostHeader":"iam.amazonaws.com"}})", R"({"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:i-0abc","arn":"arn:aws:sts::123456789012:assumed-role/app/i-0abc","accountId":"123456789012","accessKeyId":"ASIAEXAMPLE","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLE","arn":"arn:aws:iam::123456789012:role/app","accountId":"123456789012","userName":"app"},"attributes":{"creationDate":"2023-07-10T11:00:00Z","mfaAuthenticated":"false"}}},"eventTime":"","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","awsRegion":"us-east-1","sourceIPAddress":"","userAgent":"aws-sdk-go/1.44","requestParameters":{"instancesSet":{},"filterSet":{}},"responseElements":null,"requestID":"","eventID":"","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012","eventCategory":"Management"})",
                    R"({"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::123456789012:user/bob","accountId":"123456789012","accessKeyId":"AKIAEXAMPLE2","userName":"bob"},"eventTime":"","eventSource":"s3.amazonaws.com","eventName":"DeleteBucket","awsRegion":"us-east-1","sourceIPAddress":"","userAgent":"[aws-cli/2.11.0]","requestParameters":{"bucketName":"logs","Host":"logs.s3.us-east-1.amazonaws.com"},"responseElements":null,"additionalEventData":{"SignatureVersion":"SigV4","bytesTransferredIn":0,"bytesTransferredOut":0},"requestID":"","eventID":"","readOnly":false,"resources":[{"accountId":"123456789012","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::logs"}],"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012","eventCategory":"Management"})"};
    for (const char* t : kTemplates) out.push_back(warden::Json::parse(t));
  }
  return out;
}

void Generate(const std::string& path, const std::string& samples, size_t target_bytes) {
  std::vector<warden::Json> templates = LoadTemplates(samples);
  std::mt19937_64 rng(42);
  std::ofstream out(path, std::ios::binary);
  int64_t t = 1688989338;  // 2023-07-10T11:42:18Z
  size_t i = 0;
  char when[32];
  while (g_ws.bytes < target_bytes) {
    warden::Json e = templates[i++ % templates.size()];
    e["eventID"] = RandomId(rng);
    e["requestID"] = RandomId(rng).substr(0, 16);
    time_t secs = static_cast<time_t>(t + static_cast<int64_t>(i / 50));
    std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&secs));
    e["eventTime"] = when;
    e["sourceIPAddress"] = std::to_string(rng() % 223 + 1) + "." + std::to_string(rng() % 256) +
                           "." + std::to_string(rng() % 256) + "." + std::to_string(rng() % 256);
    std::string line = e.dump();
    line += '\n';
    out << line;
    g_ws.bytes += line.size();
    ++g_ws.event_count;
  }
}

// Puts the data file in the page cache the way a log file read from disk is
// held: written back, dropped, then read once front to back (the kernel's
// readahead caches it in large folios where the file system supports them,
// as ext4 does on Linux 6.x). A file just written in small pieces is held in
// 4 KiB pages instead, which costs every mmap reader (not jq, which copies
// with read()) page-table work per 4 KiB; `--cache=written` keeps that state.
bool CacheAsReadFromDisk(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return false;
  bool ok = ::fdatasync(fd) == 0 && ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) == 0;
  std::vector<char> buf(1 << 20);
  ssize_t n;
  while ((n = ::read(fd, buf.data(), buf.size())) > 0) {
  }
  ::close(fd);
  return ok && n == 0;
}

// Runs the scanner over the file once; returns matches.
uint64_t ScanOnce(const std::shared_ptr<std::vector<warden::Rule>>& rules, bool findings) {
  warden::TrailScanner::Options o;
  o.build_findings = findings;
  auto scanner = warden::TrailScanner::Create(*rules, nullptr, o);
  if (!scanner.ok()) {
    std::cerr << scanner.status().message() << "\n";
    std::exit(2);
  }
  uint64_t matches = 0, bytes_out = 0;
  (*scanner)->set_on_match([&](const warden::ScanMatch&) { ++matches; });
  if (findings)
    (*scanner)->set_on_finding([&, line = std::string()](warden::Finding&& f, bool) mutable {
      line.clear();
      warden::AppendFindingJson(f, &line);  // what `trail scan -f jsonl` prints
      bytes_out += line.size();
    });
  warden::CloudTrailReader reader(
      [&](const warden::SplitRecord& r, const warden::RecordOrigin& origin) {
        (*scanner)->ProcessRecord(r, origin);
      },
      nullptr);
  (void)reader.ReadPath(g_ws.events);
  benchmark::DoNotOptimize(bytes_out);
  return matches;
}

void RunWarden(benchmark::State& state, const std::shared_ptr<std::vector<warden::Rule>>& rules,
               bool findings, Result* result) {
  uint64_t matches = 0;
  for (auto _ : state) matches = ScanOnce(rules, findings);
  double seconds_per_iteration = 0;  // filled by the reporter via counters
  (void)seconds_per_iteration;
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * g_ws.event_count));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * g_ws.bytes));
  state.counters["events_per_s"] = benchmark::Counter(
      static_cast<double>(g_ws.event_count), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["matches"] = static_cast<double>(matches);
  result->matches = matches;
}

void BM_JqRtm011(benchmark::State& state) {
  for (auto _ : state) {
    rusage before;
    getrusage(RUSAGE_CHILDREN, &before);
    auto start = Clock::now();
    std::string cmd = "jq -r -f " + g_ws.jq_filter + " " + g_ws.events + " | wc -l";
    FILE* p = popen(cmd.c_str(), "r");
    char buf[64] = {0};
    if (p == nullptr || fgets(buf, sizeof buf, p) == nullptr) {
      state.SkipWithError("jq failed");
      if (p) pclose(p);
      return;
    }
    pclose(p);
    double secs = std::chrono::duration<double>(Clock::now() - start).count();
    rusage after;
    getrusage(RUSAGE_CHILDREN, &after);
    auto cpu = [](const rusage& r) {
      return static_cast<double>(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
             static_cast<double>(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
    };
    // jq's own CPU time (the children of popen's shell: jq and wc).
    g_jq.events_per_cpu_second = static_cast<double>(g_ws.event_count) / (cpu(after) - cpu(before));
    state.SetIterationTime(secs);
    g_jq.matches = std::strtoull(buf, nullptr, 10);
    g_jq.events_per_second = static_cast<double>(g_ws.event_count) / secs;
  }
  state.counters["events_per_s"] = g_jq.events_per_second;
  state.counters["matches"] = static_cast<double>(g_jq.matches);
}

// Captures events/s of each Warden run from the reported times.
class Reporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      if (r.run_type != Run::RT_Iteration || r.iterations == 0) continue;
      double wall = r.real_accumulated_time / static_cast<double>(r.iterations);
      double cpu = r.cpu_accumulated_time / static_cast<double>(r.iterations);
      Result* result = nullptr;
      std::string name = r.benchmark_name();
      if (name.find("warden_rtm011_findings") != std::string::npos)
        result = &g_findings;
      else if (name.find("warden_rtm011") != std::string::npos)
        result = &g_rtm;
      else if (name.find("warden_100_rules") != std::string::npos)
        result = &g_100;
      if (result && wall > 0 && cpu > 0) {
        result->events_per_second = static_cast<double>(g_ws.event_count) / wall;
        result->events_per_cpu_second = static_cast<double>(g_ws.event_count) / cpu;
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }
};

int Run(int argc, char** argv) {
  size_t mb = 200;
  std::string samples = std::filesystem::path(__FILE__).parent_path().parent_path().string() +
                        "/tests/fixtures/cloudtrail/invictus-ir_aws_dataset";
  std::string workdir;
  bool cache_as_read = true;
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--mb=", 0) == 0) {
      const char* end = a.data() + a.size();
      auto parsed = std::from_chars(a.data() + 5, end, mb);
      if (parsed.ec != std::errc() || parsed.ptr != end || mb == 0) {
        std::cerr << "--mb: expected a positive number of megabytes, got '" << a.substr(5) << "'\n";
        return 2;
      }
    } else if (a.rfind("--samples=", 0) == 0)
      samples = a.substr(10);
    else if (a.rfind("--workdir=", 0) == 0)
      workdir = a.substr(10);
    else if (a == "--cache=written")
      cache_as_read = false;
    else if (a == "--cache=read")
      cache_as_read = true;
    else
      rest.push_back(argv[i]);
  }
  int rest_argc = static_cast<int>(rest.size());
  benchmark::Initialize(&rest_argc, rest.data());

  if (workdir.empty()) {
    char tmpl[] = "/tmp/warden-cloudtrail-bench-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) return 2;
    g_ws.dir = tmpl;
  } else {
    g_ws.dir = workdir;
    g_ws.keep = true;
    std::filesystem::create_directories(workdir);
  }
  g_ws.events = g_ws.dir + "/events.jsonl";
  g_ws.jq_filter = g_ws.dir + "/rtm011.jq";
  std::ofstream(g_ws.jq_filter) << kJqFilter;
  auto start = Clock::now();
  if (g_ws.keep && std::filesystem::exists(g_ws.events)) {
    // --workdir with data from an earlier run: reuse it (profiling).
    std::ifstream in(g_ws.events, std::ios::binary);
    std::string line;
    while (std::getline(in, line)) {
      g_ws.bytes += line.size() + 1;
      ++g_ws.event_count;
    }
  } else {
    Generate(g_ws.events, samples, mb << 20);
  }
  if (cache_as_read) {
    if (!CacheAsReadFromDisk(g_ws.events))
      std::cerr << "could not reset the page cache of the data\n";
  }
  std::cerr << "generated " << g_ws.event_count << " events, " << (g_ws.bytes >> 20) << " MB in "
            << std::chrono::duration<double>(Clock::now() - start).count() << " s\n";

  auto rtm = std::make_shared<std::vector<warden::Rule>>(Rules(kSeedRows));
  auto hundred = std::make_shared<std::vector<warden::Rule>>();
  {
    auto catalog = warden::LoadBuiltinCatalog();
    if (!catalog.ok()) return 2;
    // CloudTrail rules only: the OCI catalog never runs on CloudTrail events.
    for (auto& r : *catalog)
      if (r.id != "RTM-011" && r.provider == warden::EventProvider::kAws) hundred->push_back(r);
    for (auto& r : *rtm) hundred->push_back(r);
    for (auto& r : Rules(GeneratedRules())) hundred->push_back(r);
    hundred->resize(std::min<size_t>(hundred->size(), 100));
  }
  size_t enabled = 0;
  for (const auto& r : *hundred) enabled += r.enabled ? 1 : 0;

  bool have_jq = system("jq --version >/dev/null 2>&1") == 0;
  if (have_jq)
    benchmark::RegisterBenchmark("jq_rtm011", BM_JqRtm011)
        ->UseManualTime()
        ->Iterations(1)
        ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("warden_rtm011",
                               [rtm](benchmark::State& s) { RunWarden(s, rtm, false, &g_rtm); })
      ->UseRealTime()
      ->MinTime(2.0)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark(
      "warden_100_rules", [hundred](benchmark::State& s) { RunWarden(s, hundred, false, &g_100); })
      ->UseRealTime()
      ->MinTime(2.0)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("warden_rtm011_findings",
                               [rtm](benchmark::State& s) { RunWarden(s, rtm, true, &g_findings); })
      ->UseRealTime()
      ->Iterations(1)
      ->Unit(benchmark::kMillisecond);
  Reporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  std::printf(
      "\nCloudTrail RTM-011 seed rows over %llu events (%llu MB of JSON lines), one core,\n"
      "the file cached %s.\n"
      "Rates per CPU second (user+system time of the one thread/process doing the work;\n"
      "wall-clock rates in brackets, lower when other work shares the machine):\n",
      static_cast<unsigned long long>(g_ws.event_count),
      static_cast<unsigned long long>(g_ws.bytes >> 20),
      cache_as_read ? "as read from disk (--cache=written: as just written)"
                    : "as just written in small pieces (--cache=read: as read from disk)");
  auto line = [](const char* label, const Result& r) {
    std::printf("  %-28s %10.0f events/s  [%10.0f wall]", label, r.events_per_cpu_second,
                r.events_per_second);
  };
  if (have_jq) {
    line("jq", g_jq);
    std::printf("  %llu matches\n", static_cast<unsigned long long>(g_jq.matches));
  }
  line("warden", g_rtm);
  std::printf("  %llu matches", static_cast<unsigned long long>(g_rtm.matches));
  if (have_jq && g_jq.events_per_cpu_second > 0)
    std::printf("  = %.0fx jq (target >= 100x)",
                g_rtm.events_per_cpu_second / g_jq.events_per_cpu_second);
  std::printf("\n");
  char label[64];
  std::snprintf(label, sizeof label, "warden, %zu rules (%zu enabled)", hundred->size(), enabled);
  line(label, g_100);
  std::printf("  (target >= 1000000)\n");
  line("warden + JSON findings", g_findings);
  std::printf("  (every match rendered as a finding line)\n");
  if (have_jq && g_jq.matches != g_rtm.matches) {
    std::printf("MISMATCH: jq selected %llu events, warden %llu\n",
                static_cast<unsigned long long>(g_jq.matches),
                static_cast<unsigned long long>(g_rtm.matches));
    return 1;
  }
  return 0;
}

}  // namespace

// Errors of the standard library (a --workdir that cannot be created, say)
// end the run with their message rather than std::terminate.
int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "cloudtrail_bench: " << e.what() << "\n";
    return 2;
  }
}
