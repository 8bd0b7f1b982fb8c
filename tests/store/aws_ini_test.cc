// The shared config and credentials files as the AWS CLI reads them (aws_ini.h,
// aws_profiles.h): sections, comments, sub-properties, merging, bad files.

#include <gtest/gtest.h>

#include <fstream>

#include "common/temp_dir.h"
#include "store/aws_ini.h"
#include "store/aws_profiles.h"

namespace runlake::aws {
namespace {

IniFile Parse(const std::string& text) {
  Result<IniFile> f = ParseAwsIni(text, "/x/config");
  EXPECT_TRUE(f.ok()) << f.status().ToString();
  return f.ok() ? *f : IniFile{};
}

TEST(AwsIni, SectionsKeysCommentsAndBothDelimiters) {
  IniFile f = Parse(
      "# a comment\n"
      "; another\n"
      "[default] # trailing comment on a header\n"
      "Region = eu-west-1\n"
      "  \n"
      "output: json\n"
      "   # an indented comment\n"
      "[profile dev]\r\n"
      "aws_access_key_id=AKIDEV\r\n");
  ASSERT_EQ(f.sections.size(), 2u);
  EXPECT_EQ(f.sections[0].name, "default");
  EXPECT_EQ(f.sections[0].values.at("region"), "eu-west-1");  // keys lower-cased
  EXPECT_EQ(f.sections[0].values.at("output"), "json");
  EXPECT_EQ(f.sections[1].name, "profile dev");
  EXPECT_EQ(f.sections[1].values.at("aws_access_key_id"), "AKIDEV");
}

TEST(AwsIni, NoInlineCommentsInValues) {
  IniFile f = Parse("[default]\nrole_session_name = a # b ; c\n");
  EXPECT_EQ(f.sections[0].values.at("role_session_name"), "a # b ; c");
}

TEST(AwsIni, NestedSubPropertiesAndContinuations) {
  IniFile f = Parse(
      "[default]\n"
      "s3 =\n"
      "  addressing_style = path\n"
      "  max_concurrent_requests = 20\n"
      "region = us-west-2\n"
      "ca_list = one\n"
      "  two\n");
  const auto& v = f.sections[0].values;
  EXPECT_EQ(v.at("s3.addressing_style"), "path");
  EXPECT_EQ(v.at("s3.max_concurrent_requests"), "20");
  EXPECT_EQ(v.at("region"), "us-west-2");
  EXPECT_EQ(v.at("ca_list"), "one\ntwo");
  EXPECT_EQ(v.count("s3"), 0u);
}

TEST(AwsIni, BadFilesNameFileLineAndSection) {
  auto err = [](const std::string& text) {
    Result<IniFile> f = ParseAwsIni(text, "/x/config");
    EXPECT_FALSE(f.ok()) << text;
    return f.ok() ? std::string() : f.status().message();
  };
  std::string m = err("region = x\n[default]\n");
  EXPECT_NE(m.find("/x/config"), std::string::npos) << m;
  EXPECT_NE(m.find("line 1"), std::string::npos) << m;
  m = err("[default]\nregion\n");
  EXPECT_NE(m.find("line 2 in [default]"), std::string::npos) << m;
  m = err("[default]\nregion = a\nRegion = b\n");
  EXPECT_NE(m.find("duplicate key 'region'"), std::string::npos) << m;
  m = err("[a]\nx = 1\n[a]\n");
  EXPECT_NE(m.find("duplicate section [a]"), std::string::npos) << m;
  m = err("[default\n");
  EXPECT_NE(m.find("without ']'"), std::string::npos) << m;
}

class AwsProfilesTest : public ::testing::Test {
 protected:
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_.path() + "/" + name) << text;
  }
  Result<AwsProfiles> Load() {
    env_.vars["AWS_CONFIG_FILE"] = dir_.path() + "/config";
    env_.vars["AWS_SHARED_CREDENTIALS_FILE"] = dir_.path() + "/credentials";
    return LoadAwsProfiles(env_);
  }
  runlake::testing::TempDir dir_;
  AwsEnv env_;
};

TEST_F(AwsProfilesTest, ProfilePrefixInConfigPlainNamesInCredentials) {
  Write("config",
        "[default]\nregion = eu-west-1\n"
        "[profile dev]\nregion = us-west-2\naws_access_key_id = FROMCONFIG\n"
        "[dev-no-prefix]\nregion = ignored\n"
        "[sso-session corp]\nsso_region = eu-central-1\n");
  Write("credentials",
        "[dev]\naws_access_key_id = FROMCREDS\naws_secret_access_key = s\n"
        "[profile odd]\nx = 1\n");
  Result<AwsProfiles> p = Load();
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->Get("default", "region"), "eu-west-1");
  EXPECT_EQ(p->Get("dev", "region"), "us-west-2");
  EXPECT_EQ(p->Get("dev", "aws_access_key_id"), "FROMCREDS");  // credentials file wins
  EXPECT_EQ(p->Find("dev-no-prefix"), nullptr);  // config sections need "profile "
  EXPECT_NE(p->Find("profile odd"), nullptr);    // credentials sections are taken verbatim
  EXPECT_EQ(p->sso_sessions.at("corp").at("sso_region").value, "eu-central-1");
  EXPECT_NE(p->Where("dev", "aws_access_key_id").find("credentials file"), std::string::npos);
  EXPECT_NE(p->Where("dev", "region").find("config file"), std::string::npos);
}

TEST_F(AwsProfilesTest, ProfileDefaultBeatsPlainDefault) {
  Write("config", "[profile default]\nregion = a\n[default]\nregion = b\n");
  Result<AwsProfiles> p = Load();
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->Get("default", "region"), "a");
}

TEST_F(AwsProfilesTest, MissingFilesAreEmptyBadOnesAreErrors) {
  Result<AwsProfiles> p = Load();
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->profiles.empty());
  Write("credentials", "[a]\nno equals sign\n");
  p = Load();
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find(dir_.path() + "/credentials' line 2 in [a]"),
            std::string::npos)
      << p.status().message();
}

TEST_F(AwsProfilesTest, SelectedProfile) {
  EXPECT_EQ(SelectedProfileName(env_), "default");
  env_.vars["AWS_DEFAULT_PROFILE"] = "b";
  EXPECT_EQ(SelectedProfileName(env_), "b");
  env_.vars["AWS_PROFILE"] = "a";
  EXPECT_EQ(SelectedProfileName(env_), "a");
}

TEST(AwsEnvTest, HomeExpansion) {
  AwsEnv env;
  env.vars["HOME"] = "/home/u";
  EXPECT_EQ(env.ExpandHome("~/.aws/config"), "/home/u/.aws/config");
  EXPECT_EQ(env.ExpandHome("/etc/x"), "/etc/x");
}

}  // namespace
}  // namespace runlake::aws
