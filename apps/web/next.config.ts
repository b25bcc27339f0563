import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // workspace packages export raw TypeScript (with .ts import extensions)
  transpilePackages: ["@sluice/ui", "@sluice/db"],
  // the database driver stays a plain Node require at run time
  serverExternalPackages: ["pg", "@prisma/adapter-pg", "@prisma/client"],
  poweredByHeader: false,
};

export default nextConfig;
