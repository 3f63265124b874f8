#include "vuln/oval_importer.h"

#include <bzlib.h>
#include <libxml/xmlreader.h>

#include <cstring>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "core/strings.h"
#include "core/time_format.h"
#include "vuln/severity.h"

namespace warden {
namespace {

// Criteria deeper than this are not Oracle's (real definitions nest 4-5 levels).
constexpr int kMaxCriteriaDepth = 64;

bool IsElement(xmlNodePtr n, const char* local_name) {
  return n != nullptr && n->type == XML_ELEMENT_NODE && n->name != nullptr &&
         std::strcmp(reinterpret_cast<const char*>(n->name), local_name) == 0;
}

std::string Attribute(xmlNodePtr n, const char* name) {
  xmlChar* v = xmlGetProp(n, reinterpret_cast<const xmlChar*>(name));
  if (v == nullptr) return {};
  std::string out(reinterpret_cast<const char*>(v));
  xmlFree(v);
  return out;
}

std::string Content(xmlNodePtr n) {
  xmlChar* v = xmlNodeGetContent(n);
  if (v == nullptr) return {};
  std::string out(TrimWhitespace(reinterpret_cast<const char*>(v)));
  xmlFree(v);
  return out;
}

xmlNodePtr FirstChild(xmlNodePtr n, const char* local_name) {
  for (xmlNodePtr c = n ? n->children : nullptr; c != nullptr; c = c->next)
    if (IsElement(c, local_name)) return c;
  return nullptr;
}

// Everything one ELSA definition says besides its criteria.
struct DefinitionInfo {
  std::string id;
  std::string advisory;
  std::string link;
  std::string title;
  std::string severity;
  std::string platform_release;  // from <platform>Oracle Linux 7</platform>
  std::vector<std::string> cves;
  std::map<std::string, std::pair<double, std::string>> cvss;  // CVE -> score, vector
};

// The context criteria set for the packages below them.
struct CriteriaContext {
  std::string release;
  std::string arch;
  std::string module_stream;
};

std::string FlavourOfEvr(std::string_view evr) {
  if (evr.find("ksplice") != std::string_view::npos) return "ksplice";
  if (evr.find("_fips") != std::string_view::npos) return "fips";
  return {};
}

class OvalReader {
 public:
  OvalReader(std::string_view origin, FeedSink& sink) : origin_(origin), sink_(sink) {}

  Status Run(xmlTextReaderPtr reader, const ProgressFn* progress, std::FILE* file) {
    if (reader == nullptr) return Internal(std::string(origin_) + ": cannot create an XML reader");
    xmlTextReaderSetStructuredErrorHandler(reader, &OvalReader::OnXmlError, this);
    Status result = Loop(reader, progress, file);
    xmlFreeTextReader(reader);
    if (!error_.ok()) return error_;  // a parser error reported through the handler wins
    return result;
  }

  const Status& error() const { return error_; }

 private:
  static void OnXmlError(void* self, xmlErrorPtr err) {
    auto* r = static_cast<OvalReader*>(self);
    if (err == nullptr || err->level < XML_ERR_ERROR || !r->error_.ok()) return;
    std::string message =
        err->message ? std::string(TrimWhitespace(err->message)) : "malformed XML";
    r->error_ = ParseError(std::string(r->origin_) + ":" + std::to_string(err->line) + ":" +
                           std::to_string(err->int2) + ": " + message);
  }

  Status Loop(xmlTextReaderPtr reader, const ProgressFn* progress, std::FILE* file) {
    bool saw_root = false;
    size_t definitions = 0;
    int rc = xmlTextReaderRead(reader);
    while (rc == 1) {
      if (!error_.ok()) return error_;
      const int type = xmlTextReaderNodeType(reader);
      if (type == XML_READER_TYPE_DOCUMENT_TYPE || type == XML_READER_TYPE_ENTITY_REFERENCE ||
          type == XML_READER_TYPE_ENTITY)
        return DoctypeRefused();
      if (type != XML_READER_TYPE_ELEMENT) {
        rc = xmlTextReaderRead(reader);
        continue;
      }
      const char* name = reinterpret_cast<const char*>(xmlTextReaderConstLocalName(reader));
      if (name == nullptr) name = "";
      const int depth = xmlTextReaderDepth(reader);
      if (depth == 0) {
        if (std::strcmp(name, "oval_definitions") != 0)
          return ParseError(std::string(origin_) + ":" +
                            std::to_string(xmlTextReaderGetParserLineNumber(reader)) +
                            ": root element is <" + name + ">, not <oval_definitions>");
        saw_root = true;
        rc = xmlTextReaderRead(reader);
        continue;
      }
      if (std::strcmp(name, "definition") == 0 && depth == 2) {
        xmlNodePtr node = xmlTextReaderExpand(reader);
        if (node == nullptr) break;  // the error handler has the reason
        // The element's own line: the parser's position may be chunks ahead.
        // libxml2 keeps element lines in 16 bits, so past 65534 the parser's is all there is.
        long line = xmlGetLineNo(node);
        if (line <= 0 || line >= 65535) line = xmlTextReaderGetParserLineNumber(reader);
        RETURN_IF_ERROR(Definition(node, static_cast<int>(line)));
        if (++definitions % 256 == 0 && progress && *progress && file) {
          long pos = std::ftell(file);
          if (pos > 0) (*progress)(static_cast<uint64_t>(pos));
        }
        rc = xmlTextReaderNext(reader);
        continue;
      }
      if (std::strcmp(name, "timestamp") == 0 && depth == 2) {
        xmlNodePtr node = xmlTextReaderExpand(reader);
        if (node == nullptr) break;
        std::string stamp = Content(node);
        if (!stamp.empty() && stamp.back() != 'Z' && stamp.find('+') == std::string::npos)
          stamp += "Z";
        if (auto t = ParseRfc3339(stamp)) sink_.SetFeedTime(kOracleElsaSource, *t);
        rc = xmlTextReaderNext(reader);
        continue;
      }
      if (depth == 1 && std::strcmp(name, "definitions") != 0 &&
          std::strcmp(name, "generator") != 0) {
        // tests/objects/states/variables: read through (to catch truncation),
        // without building their trees.
        rc = xmlTextReaderNext(reader);
        continue;
      }
      rc = xmlTextReaderRead(reader);
    }
    if (!error_.ok()) return error_;
    if (rc < 0) return ParseError(std::string(origin_) + ": malformed XML");
    if (!saw_root) return ParseError(std::string(origin_) + ": no <oval_definitions> element");
    return Status::Ok();
  }

  // The reader hands out the DOCTYPE before the root element's content, so
  // nothing a DTD declares has been used yet when the file is refused.
  Status DoctypeRefused() const {
    // No line: libxml2 keeps none for the DOCTYPE, and the parser is already past it.
    return ParseError(std::string(origin_) +
                      ": a DOCTYPE (DTD) is refused: OVAL feeds have none, and the entities it "
                      "could declare would expand inside the definitions");
  }

  // "elsa.xml:1042: definition oval:...: "
  std::string Where(int line, const std::string& id) const {
    return std::string(origin_) + ":" + std::to_string(line) + ": definition " +
           (id.empty() ? "(no id)" : id) + ": ";
  }

  Status Definition(xmlNodePtr def, int line) {
    DefinitionInfo info;
    info.id = Attribute(def, "id");
    if (info.id.empty()) return ParseError(Where(line, info.id) + "missing the id attribute");
    xmlNodePtr metadata = FirstChild(def, "metadata");
    if (metadata == nullptr) return ParseError(Where(line, info.id) + "has no <metadata>");
    info.title = Content(FirstChild(metadata, "title"));
    for (xmlNodePtr c = metadata->children; c != nullptr; c = c->next) {
      if (IsElement(c, "reference")) {
        std::string source = Attribute(c, "source");
        std::string ref_id = Attribute(c, "ref_id");
        if (source == "elsa" || StartsWith(ref_id, "ELSA-")) {
          info.advisory = ref_id;
          info.link = Attribute(c, "ref_url");
        } else if (source == "CVE" && StartsWith(ref_id, "CVE-")) {
          if (std::find(info.cves.begin(), info.cves.end(), ref_id) == info.cves.end())
            info.cves.push_back(ref_id);
        }
      } else if (IsElement(c, "affected")) {
        std::string platform = Content(FirstChild(c, "platform"));
        if (StartsWith(platform, "Oracle Linux ")) info.platform_release = platform.substr(13);
      } else if (IsElement(c, "advisory")) {
        for (xmlNodePtr a = c->children; a != nullptr; a = a->next) {
          if (IsElement(a, "severity")) {
            info.severity = Content(a);
          } else if (IsElement(a, "cve")) {
            std::string cve = Content(a);
            if (!StartsWith(cve, "CVE-")) continue;
            if (std::find(info.cves.begin(), info.cves.end(), cve) == info.cves.end())
              info.cves.push_back(cve);
            // cvss3="8.1/CVSS:3.0/AV:N/..."
            std::string cvss3 = Attribute(a, "cvss3");
            size_t slash = cvss3.find('/');
            if (slash != std::string::npos) {
              double score = 0;
              std::string vector = cvss3.substr(slash + 1);
              if (ParseDouble(cvss3.substr(0, slash), &score) && score >= 0 && score <= 10)
                info.cvss[cve] = {score, vector};
              else if (auto computed = CvssV3BaseScore(vector))
                info.cvss[cve] = {*computed, vector};
            }
          }
        }
      }
    }
    if (info.advisory.empty()) info.advisory = info.id;
    if (info.cves.empty()) info.cves.push_back(info.advisory);
    // Every ELSA says what it fixes in its criteria; without them the
    // definition would only erase what an earlier import stored for it.
    xmlNodePtr criteria = FirstChild(def, "criteria");
    if (criteria == nullptr) return ParseError(Where(line, info.id) + "has no <criteria>");
    CriteriaContext context;
    context.release = info.platform_release;
    records_.clear();
    RETURN_IF_ERROR(Criteria(criteria, context, info, line, 0));
    // The whole definition is read before the sink hears of it.
    RETURN_IF_ERROR(sink_.BeginDocument(kOracleElsaSource, info.advisory));
    for (const AffectedRecord& r : records_) RETURN_IF_ERROR(sink_.Add(r));
    return Status::Ok();
  }

  Status Criteria(xmlNodePtr node, CriteriaContext context, const DefinitionInfo& info, int line,
                  int depth) {
    if (depth > kMaxCriteriaDepth)
      return ParseError(Where(line, info.id) + "criteria nested deeper than " +
                        std::to_string(kMaxCriteriaDepth));
    // First pass: the context criteria among this node's direct children.
    std::vector<std::string> ksplice_packages;
    for (xmlNodePtr c = node->children; c != nullptr; c = c->next) {
      if (!IsElement(c, "criterion")) continue;
      std::string comment = Attribute(c, "comment");
      // The comments are what Warden reads; a criterion without one would
      // silently drop a package (or the release or arch around it).
      if (comment.empty())
        return ParseError(Where(line, info.id) + "a <criterion> (test_ref \"" +
                          Attribute(c, "test_ref") + "\") has no comment");
      std::string_view text = comment;
      if (StartsWith(text, "Oracle Linux arch is ")) {
        context.arch = std::string(TrimWhitespace(text.substr(21)));
      } else if (StartsWith(text, "Oracle Linux ") && EndsWith(text, " is installed")) {
        context.release = std::string(TrimWhitespace(text.substr(13, text.size() - 13 - 13)));
      } else if (StartsWith(text, "Module ") && EndsWith(text, " is enabled")) {
        context.module_stream = std::string(TrimWhitespace(text.substr(7, text.size() - 7 - 11)));
      } else if (EndsWith(text, " is ksplice-based")) {
        ksplice_packages.emplace_back(text.substr(0, text.size() - 17));
      }
    }
    for (xmlNodePtr c = node->children; c != nullptr; c = c->next) {
      if (IsElement(c, "criteria")) {
        RETURN_IF_ERROR(Criteria(c, context, info, line, depth + 1));
        continue;
      }
      if (!IsElement(c, "criterion")) continue;
      std::string comment = Attribute(c, "comment");
      size_t at = comment.find(" is earlier than ");
      if (at == std::string::npos) continue;
      std::string package = comment.substr(0, at);
      std::string evr = std::string(TrimWhitespace(std::string_view(comment).substr(at + 17)));
      if (package.empty() || evr.empty())
        return ParseError(Where(line, info.id) + "criterion \"" + comment +
                          "\" names no package or no version");
      if (context.release.empty())
        return ParseError(Where(line, info.id) + "package " + package +
                          " has no release (no \"Oracle Linux N is installed\" criterion and no "
                          "<platform>)");
      AffectedRecord r;
      r.source = std::string(kOracleElsaSource);
      r.document = info.advisory;
      r.distro = "ol";
      r.release = context.release;
      r.package = package;
      r.scheme = PackageScheme::kRpmBinary;
      r.arch = context.arch;
      r.module_stream = context.module_stream;
      r.flavour = FlavourOfEvr(evr);
      if (std::find(ksplice_packages.begin(), ksplice_packages.end(), package) !=
          ksplice_packages.end())
        r.flavour = "ksplice";
      r.advisory = info.advisory;
      r.status = VendorStatus::kFixed;
      r.fixed_version = evr;
      r.vendor_status = "fixed";
      r.vendor_severity = info.severity;
      r.title = info.title;
      r.link = info.link;
      for (const std::string& cve : info.cves) {
        r.vuln_id = cve;
        auto it = info.cvss.find(cve);
        if (it != info.cvss.end()) {
          r.cvss_score = it->second.first;
          r.cvss_vector = it->second.second;
        } else {
          r.cvss_score = -1;
          r.cvss_vector.clear();
        }
        records_.push_back(r);
      }
    }
    return Status::Ok();
  }

  std::string_view origin_;
  FeedSink& sink_;
  std::vector<AffectedRecord> records_;  // of the definition being read
  Status error_;
};

// No network, no DTD loading, no entity substitution, no default attributes
// from a DTD, libxml2's size limits kept (no XML_PARSE_HUGE). A DOCTYPE is
// refused outright (DoctypeRefused), so no declared entity is ever expanded.
constexpr int kReaderOptions = XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_COMPACT;
static_assert((kReaderOptions & (XML_PARSE_NOENT | XML_PARSE_DTDLOAD | XML_PARSE_DTDATTR |
                                 XML_PARSE_DTDVALID | XML_PARSE_XINCLUDE | XML_PARSE_HUGE)) == 0);

// Input for xmlReaderForIO: a FILE*, optionally through bzip2, with a cap on
// the decompressed size.
struct FileInput {
  std::FILE* file = nullptr;
  BZFILE* bz = nullptr;
  uint64_t total = 0;
  bool too_big = false;
  bool bz_error = false;
  bool bz_done = false;

  static int Read(void* ctx, char* buffer, int len) {
    auto* in = static_cast<FileInput*>(ctx);
    int n = 0;
    if (in->bz != nullptr) {
      if (in->bz_done) return 0;
      int err = BZ_OK;
      n = BZ2_bzRead(&err, in->bz, buffer, len);
      if (err == BZ_STREAM_END) {
        in->bz_done = true;
      } else if (err != BZ_OK) {
        in->bz_error = true;
        return -1;
      }
    } else {
      n = static_cast<int>(std::fread(buffer, 1, static_cast<size_t>(len), in->file));
      if (n == 0 && std::ferror(in->file)) return -1;
    }
    in->total += static_cast<uint64_t>(n);
    if (in->total > kMaxOvalBytes) {
      in->too_big = true;
      return -1;
    }
    return n;
  }
  static int Close(void*) { return 0; }
};

}  // namespace

Status ImportOvalXml(std::string_view text, std::string_view origin, FeedSink& sink) {
  // xmlReaderForMemory takes an int size; larger files go through ImportOvalFile.
  if (text.size() > static_cast<size_t>(std::numeric_limits<int>::max()))
    return InvalidArgument(std::string(origin) + ": too large to parse from memory");
  OvalReader reader(origin, sink);
  std::string url(origin);
  return reader.Run(xmlReaderForMemory(text.data(), static_cast<int>(text.size()), url.c_str(),
                                       nullptr, kReaderOptions),
                    nullptr, nullptr);
}

Status ImportOvalFile(std::FILE* file, bool bzip2, std::string_view origin, FeedSink& sink,
                      const ProgressFn& progress) {
  FileInput in;
  in.file = file;
  if (bzip2) {
    int err = BZ_OK;
    in.bz = BZ2_bzReadOpen(&err, file, 0, 0, nullptr, 0);
    if (err != BZ_OK) return IoError(std::string(origin) + ": cannot open the bzip2 stream");
  }
  OvalReader reader(origin, sink);
  std::string url(origin);
  Status st = reader.Run(xmlReaderForIO(&FileInput::Read, &FileInput::Close, &in, url.c_str(),
                                        nullptr, kReaderOptions),
                         &progress, file);
  if (in.bz != nullptr) {
    int err = BZ_OK;
    BZ2_bzReadClose(&err, in.bz);
  }
  // The reader only sees "read failed"; say why.
  if (in.too_big)
    return InvalidArgument(std::string(origin) + ": more than " +
                           std::to_string(kMaxOvalBytes >> 30) +
                           " GiB of XML; refusing (not an OVAL feed, or a decompression bomb)");
  if (in.bz_error)
    return ParseError(std::string(origin) + ": corrupt or truncated bzip2 data after " +
                      std::to_string(in.total) + " decompressed bytes");
  return st;
}

}  // namespace warden
