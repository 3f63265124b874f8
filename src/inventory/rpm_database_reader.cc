// Reads an rpm database under a HostFs root through librpm. librpm is the
// only reader that understands every on-disk format rpm has used (Berkeley DB
// "Packages", SQLite "rpmdb.sqlite"; NDB "Packages.db" only where librpm was
// built with it, which Debian's is not), so we do not parse the files
// ourselves. Because librpm opens files by itself, these reads bypass HostFs
// fault injection: only the root directory is taken from the HostFs.
//
// librpm keeps its configuration, macros and log callback in process-wide
// globals, so every entry point holds kRpmLock for the whole read, and the
// configuration files are read once. We point the %_dbpath macro at the
// database we found (Debian's rpm defaults it to ~/.rpmdb) and open it
// read-only; nothing here writes to the database.
#include <fcntl.h>
#include <rpm/header.h>
#include <rpm/rpmdb.h>
#include <rpm/rpmfi.h>
#include <rpm/rpmlib.h>
#include <rpm/rpmlog.h>
#include <rpm/rpmmacro.h>
#include <rpm/rpmpgp.h>
#include <rpm/rpmtag.h>
#include <rpm/rpmts.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <type_traits>
#include <utility>

#include "core/strings.h"
#include "inventory/package_inventory.h"

namespace warden {
namespace {

std::mutex kRpmLock;

// Candidate database directories, newest convention first: Fedora 36+ and
// SUSE keep the database in /usr/lib/sysimage/rpm (with /var/lib/rpm as a
// symlink to it); RHEL/Oracle/Alma/Amazon Linux use /var/lib/rpm.
constexpr const char* kRpmDbDirs[] = {"/usr/lib/sysimage/rpm", "/var/lib/rpm"};
// A directory is a database when it holds one of these (Debian ships an
// empty /var/lib/rpm with its rpm package: that is no database).
constexpr const char* kSqliteDbFile = "rpmdb.sqlite";
constexpr const char* kBdbFile = "Packages";
constexpr const char* kNdbFile = "Packages.db";

Status InitRpmOnce() {
  static std::once_flag once;
  static int rc = 0;
  std::call_once(once, [] { rc = rpmReadConfigFiles(nullptr, nullptr); });
  if (rc != 0) return Unavailable("librpm could not read its configuration (rpmReadConfigFiles)");
  return Status::Ok();
}

// Collects what librpm logs at error level while we use it, so a failure
// becomes a Status that says what rpm said, instead of text on stderr.
class RpmLogCapture {
 public:
  RpmLogCapture() { previous_ = rpmlogSetCallback(&RpmLogCapture::OnLog, this); }
  ~RpmLogCapture() { rpmlogSetCallback(previous_, nullptr); }
  RpmLogCapture(const RpmLogCapture&) = delete;
  RpmLogCapture& operator=(const RpmLogCapture&) = delete;

  const std::vector<std::string>& errors() const { return errors_; }

 private:
  static int OnLog(rpmlogRec rec, rpmlogCallbackData data) {
    auto* self = static_cast<RpmLogCapture*>(data);
    if (rpmlogRecPriority(rec) <= RPMLOG_ERR) {
      const char* msg = rpmlogRecMessage(rec);
      if (msg != nullptr && self->errors_.size() < 20)
        self->errors_.emplace_back(TrimWhitespace(msg));
    }
    return 0;  // reported through Status; keep stderr clean
  }
  rpmlogCallback previous_ = nullptr;
  std::vector<std::string> errors_;
};

// Pushes %_dbpath for the duration of one read.
class ScopedDbPath {
 public:
  explicit ScopedDbPath(const std::string& dbpath) {
    rpmPushMacro(nullptr, "_dbpath", nullptr, dbpath.c_str(), RMIL_CMDLINE);
  }
  ~ScopedDbPath() { rpmPopMacro(nullptr, "_dbpath"); }
  ScopedDbPath(const ScopedDbPath&) = delete;
  ScopedDbPath& operator=(const ScopedDbPath&) = delete;
};

std::string JoinErrors(const std::vector<std::string>& errors) {
  std::string out;
  for (const std::string& e : errors) {
    if (!out.empty()) out += "; ";
    out += e;
  }
  return out;
}

std::string HeaderString(Header h, rpmTagVal tag) {
  const char* s = headerGetString(h, tag);
  return s == nullptr ? std::string() : std::string(s);
}

// "name:stream:version:context" -> "name:stream".
std::string ModuleStream(std::string_view label) {
  std::vector<std::string_view> parts = SplitString(label, ':');
  if (parts.size() < 2 || parts[0].empty() || parts[1].empty()) return {};
  return std::string(parts[0]) + ":" + std::string(parts[1]);
}

std::string DigestAlgoName(int algo) {
  switch (algo) {
    case PGPHASHALGO_MD5:
      return "md5";
    case PGPHASHALGO_SHA1:
      return "sha1";
    case PGPHASHALGO_SHA224:
      return "sha224";
    case PGPHASHALGO_SHA256:
      return "sha256";
    case PGPHASHALGO_SHA384:
      return "sha384";
    case PGPHASHALGO_SHA512:
      return "sha512";
    default:
      return "";
  }
}

RpmPackage PackageFromHeader(Header h) {
  RpmPackage p;
  p.name = HeaderString(h, RPMTAG_NAME);
  if (headerIsEntry(h, RPMTAG_EPOCH))
    p.epoch = static_cast<int64_t>(headerGetNumber(h, RPMTAG_EPOCH));
  p.version = HeaderString(h, RPMTAG_VERSION);
  p.release = HeaderString(h, RPMTAG_RELEASE);
  p.arch = HeaderString(h, RPMTAG_ARCH);
  p.source_rpm = HeaderString(h, RPMTAG_SOURCERPM);
  p.vendor = HeaderString(h, RPMTAG_VENDOR);
  p.package_group = HeaderString(h, RPMTAG_GROUP);
  p.summary = HeaderString(h, RPMTAG_SUMMARY);
  p.sha1 = HeaderString(h, RPMTAG_SHA1HEADER);
  p.module_stream = ModuleStream(HeaderString(h, RPMTAG_MODULARITYLABEL));
  // LONGSIZE falls back to SIZE in librpm for packages under 4 GiB.
  p.size = static_cast<int64_t>(headerGetNumber(h, RPMTAG_LONGSIZE));
  p.install_time = static_cast<int64_t>(headerGetNumber(h, RPMTAG_INSTALLTIME));
  return p;
}

// Opens the database under fs and calls on_header for each matching header
// (all of them when names is empty). Holds kRpmLock throughout.
Status ForEachRpmHeader(const HostFs& fs, const std::vector<std::string>& names,
                        const std::function<void(rpmts, Header)>& on_header) {
  std::string dbdir = FindRpmDatabaseDir(fs);
  if (dbdir.empty()) return Status::Ok();  // no rpm database: zero packages
  std::string where = "rpm database " + fs.RealPath(dbdir);
  if (!fs.Exists(dbdir + "/" + kSqliteDbFile) && !fs.Exists(dbdir + "/" + kBdbFile))
    return Unavailable(where + ": NDB format (" + kNdbFile +
                       "), which this build of librpm cannot read");

  std::error_code ec;
  std::string root = std::filesystem::absolute(fs.root(), ec).lexically_normal().string();
  if (ec) return IoError(where + ": cannot resolve root " + fs.root() + ": " + ec.message());

  std::lock_guard<std::mutex> lock(kRpmLock);
  RETURN_IF_ERROR(InitRpmOnce());
  RpmLogCapture log;
  ScopedDbPath dbpath(dbdir);
  std::unique_ptr<std::remove_pointer_t<rpmts>, rpmts (*)(rpmts)> ts(rpmtsCreate(), rpmtsFree);
  if (!ts) return Internal(where + ": rpmtsCreate failed");
  if (rpmtsSetRootDir(ts.get(), root.c_str()) != 0)
    return IoError(where + ": librpm rejected root directory " + root);
  // Header digests are still verified on read (a corrupt header is an
  // error); signatures are not, they need keys and say nothing about what
  // is installed.
  rpmtsSetVSFlags(ts.get(), rpmtsVSFlags(ts.get()) | _RPMVSF_NOSIGNATURES);
  if (rpmtsOpenDB(ts.get(), O_RDONLY) != 0) {
    std::string why = JoinErrors(log.errors());
    return IoError(where + ": cannot open" + (why.empty() ? "" : ": " + why));
  }

  auto scan = [&](rpmdbMatchIterator mi) {
    if (mi == nullptr) return;
    while (Header h = rpmdbNextIterator(mi)) on_header(ts.get(), h);
    rpmdbFreeIterator(mi);
  };
  if (names.empty()) {
    scan(rpmtsInitIterator(ts.get(), RPMDBI_PACKAGES, nullptr, 0));
  } else {
    for (const std::string& name : names)
      if (!name.empty()) scan(rpmtsInitIterator(ts.get(), RPMDBI_NAME, name.c_str(), name.size()));
  }
  rpmtsCloseDB(ts.get());
  if (!log.errors().empty()) return ParseError(where + ": " + JoinErrors(log.errors()));
  return Status::Ok();
}

}  // namespace

std::string RpmPackage::Evr() const {
  std::string evr;
  if (epoch >= 0) evr = std::to_string(epoch) + ":";
  evr += version;
  if (!release.empty()) evr += "-" + release;
  return evr;
}

std::string FindRpmDatabaseDir(const HostFs& fs) {
  for (const char* dir : kRpmDbDirs) {
    std::string d(dir);
    for (const char* file : {kSqliteDbFile, kBdbFile, kNdbFile})
      if (fs.Exists(d + "/" + file)) return d;
  }
  return {};
}

Result<std::vector<RpmPackage>> ReadRpmDatabase(const HostFs& fs) {
  return ReadRpmDatabase(fs, {});
}

Result<std::vector<RpmPackage>> ReadRpmDatabase(const HostFs& fs,
                                                const std::vector<std::string>& names) {
  std::vector<RpmPackage> out;
  RETURN_IF_ERROR(
      ForEachRpmHeader(fs, names, [&](rpmts, Header h) { out.push_back(PackageFromHeader(h)); }));
  return out;
}

Result<std::vector<RpmFile>> ReadRpmFiles(const HostFs& fs, const std::vector<std::string>& names) {
  std::vector<RpmFile> out;
  RETURN_IF_ERROR(ForEachRpmHeader(fs, names, [&](rpmts ts, Header h) {
    std::string package = HeaderString(h, RPMTAG_NAME);
    rpmfi fi = rpmfiNew(ts, h, RPMTAG_BASENAMES, RPMFI_NOHEADER);
    if (fi == nullptr) return;
    while (rpmfiNext(fi) >= 0) {
      RpmFile f;
      f.package = package;
      if (const char* fn = rpmfiFN(fi)) f.path = fn;
      if (const char* user = rpmfiFUser(fi)) f.username = user;
      if (const char* group = rpmfiFGroup(fi)) f.groupname = group;
      f.mode = rpmfiFMode(fi);
      f.size = static_cast<int64_t>(rpmfiFSize(fi));
      int algo = 0;
      if (char* digest = rpmfiFDigestHex(fi, &algo)) {
        f.digest = digest;
        std::free(digest);
        // librpm reports entries without content (directories, links,
        // ghosts) as an all-zero digest; that is "no digest", not a value.
        if (std::all_of(f.digest.begin(), f.digest.end(), [](char c) { return c == '0'; }))
          f.digest.clear();
        if (!f.digest.empty()) f.digest_algo = DigestAlgoName(algo);
      }
      out.push_back(std::move(f));
    }
    rpmfiFree(fi);
  }));
  return out;
}

}  // namespace warden
