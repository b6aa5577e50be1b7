// The pages every audit covers. Notice ids are those of `make run`'s sample data on a fresh
// database: 15 is the seed notice (发改地区〔2016〕1771号), 3 a regulation (重大行政决策程序暂行条例),
// 44 a notice citing 23 (国办发〔1996〕2号): its text links it, 23 lists 44 under 被引用.
export const PAGES = [
  { name: "home", url: "/" },
  { name: "list", url: "/notices/" },
  { name: "category", url: "/categories/regional-economy/" },
  { name: "detail-seed", url: "/notices/15/" },
  { name: "detail-law", url: "/notices/3/" },
  { name: "detail-citing", url: "/notices/44/" },
  { name: "detail-cited", url: "/notices/23/" },
  { name: "search", url: "/notices/?q=%E5%8C%BA%E5%9F%9F%E5%8D%8F%E8%B0%83" },
  { name: "admin-import", url: "/admin/documents/notice/import/", admin: true },
];
