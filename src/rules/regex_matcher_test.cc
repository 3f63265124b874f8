#include "rules/regex_matcher.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace warden {
namespace {

RegexOutcome Search(const std::string& pattern, const std::string& subject, RegexOptions o = {}) {
  auto re = Regex::Compile(pattern, o);
  EXPECT_TRUE(re.ok()) << re.status().message();
  RegexScratch scratch;
  return re->Search(subject, scratch);
}

TEST(RegexMatcherTest, SearchSemanticsMatchAnywhere) {
  EXPECT_EQ(Search("Trail", "DeleteTrail"), RegexOutcome::kMatch);
  EXPECT_EQ(Search("^Trail", "DeleteTrail"), RegexOutcome::kNoMatch);
  EXPECT_EQ(Search("iam.amazonaws.com", "iam.amazonaws.com"), RegexOutcome::kMatch);
}

TEST(RegexMatcherTest, NegativeLookaheadFromConformityGuideWorks) {
  EXPECT_EQ(Search("^(?!ec2).*$", "iam.amazonaws.com"), RegexOutcome::kMatch);
  EXPECT_EQ(Search("^(?!ec2).*$", "ec2.amazonaws.com"), RegexOutcome::kNoMatch);
  EXPECT_EQ(Search("^(?!ec2).*$", ""), RegexOutcome::kMatch);
}

TEST(RegexMatcherTest, StarAfterLetterRepeatsOnlyThatLetter) {
  // '^Create*' is "Creat" + any number of 'e': like Python's re.search.
  EXPECT_EQ(Search("^Create*|^Delete*", "CreateUser"), RegexOutcome::kMatch);
  EXPECT_EQ(Search("^Create*|^Delete*", "Creator"), RegexOutcome::kMatch);
  EXPECT_EQ(Search("^Create*|^Delete*", "ListUsers"), RegexOutcome::kNoMatch);
}

TEST(RegexMatcherTest, CompileErrorReportsOffset) {
  size_t offset = 99;
  auto re = Regex::Compile("^(Create|Delete", {}, &offset);
  ASSERT_FALSE(re.ok());
  EXPECT_EQ(offset, 15u);
  EXPECT_NE(re.status().message().find("offset 15"), std::string::npos) << re.status().message();
  EXPECT_NE(re.status().message().find("missing closing parenthesis"), std::string::npos);
}

TEST(RegexMatcherTest, PathologicalPatternFailsBoundedInsteadOfHanging) {
  auto re = Regex::Compile("(a+)+$");
  ASSERT_TRUE(re.ok());
  RegexScratch scratch;
  std::string subject(40, 'a');
  subject += '!';
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(re->Search(subject, scratch), RegexOutcome::kLimitExceeded);
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::seconds(2));
  // The scratch is still usable afterwards.
  EXPECT_EQ(re->Search("aaa", scratch), RegexOutcome::kMatch);
}

TEST(RegexMatcherTest, MatchEverythingFormsAreRecognised) {
  EXPECT_TRUE(Regex::Compile(".*")->matches_everything());
  EXPECT_TRUE(Regex::Compile("")->matches_everything());
  EXPECT_FALSE(Regex::Compile("^.*$")->matches_everything());  // fails on inner newlines
  EXPECT_FALSE(Regex::Compile(".+")->matches_everything());
}

TEST(RegexMatcherTest, LiteralPatternsUseSubstringSearch) {
  auto re = Regex::Compile("DeleteTrail");
  ASSERT_TRUE(re.ok());
  EXPECT_TRUE(re->is_literal());
  RegexScratch scratch;
  EXPECT_EQ(re->Search("xDeleteTrailx", scratch), RegexOutcome::kMatch);
  EXPECT_EQ(re->Search("DeleteTrai", scratch), RegexOutcome::kNoMatch);
  EXPECT_FALSE(Regex::Compile("a.b")->is_literal());
}

TEST(RegexMatcherTest, IgnoreCaseOption) {
  RegexOptions o;
  o.ignore_case = true;
  EXPECT_EQ(Search("deletetrail", "DeleteTrail", o), RegexOutcome::kMatch);
  EXPECT_EQ(Search("deletetrail", "DeleteTrail"), RegexOutcome::kNoMatch);
}

TEST(RegexMatcherTest, InvalidUtf8SubjectDoesNotFail) {
  EXPECT_EQ(Search("abc", std::string("\xff\xfe"
                                      "abc",
                                      5)),
            RegexOutcome::kMatch);
  EXPECT_EQ(Search("^x", std::string("\xc3", 1)), RegexOutcome::kNoMatch);
}

TEST(RegexMatcherTest, OverlongPatternIsRejected) {
  std::string huge(kMaxRegexPatternLength + 1, 'a');
  EXPECT_FALSE(Regex::Compile(huge).ok());
}

}  // namespace
}  // namespace warden
