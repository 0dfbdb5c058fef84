import { describe, expect, it } from "vitest";
import { parseSource, referrerClass, trafficSource, utmParameters } from "../src/source";

describe("referrer classes", () => {
  const cases: [string, string][] = [
    ["", "direct"],
    ["not a url", "direct"],
    ["https://shop.example/cart", "direct"],
    ["https://www.shop.example/", "direct"],
    ["https://blog.shop.example/post", "direct"],
    ["https://www.google.com/search?q=shoes", "search"],
    ["https://www.google.co.uk/", "search"],
    ["https://www.bing.com/search?q=x", "search"],
    ["https://duckduckgo.com/", "search"],
    ["https://search.brave.com/search?q=x", "search"],
    ["https://mail.google.com/mail/u/0/", "email"],
    ["https://outlook.live.com/mail/", "email"],
    ["https://webmail.provider.example/", "email"],
    ["https://l.facebook.com/l.php?u=x", "social"],
    ["https://m.facebook.com/", "social"],
    ["https://t.co/abc", "social"],
    ["https://www.linkedin.com/feed/", "social"],
    ["https://old.reddit.com/r/x", "social"],
    ["https://news.ycombinator.com/item?id=1", "social"],
    ["https://partner.example/reviews", "other"],
    ["https://googlefan.example/", "other"],
  ];
  for (const [referrer, expected] of cases) {
    it(`${referrer || "(none)"} is ${expected}`, () => {
      expect(referrerClass(referrer, "shop.example")).toBe(expected);
    });
  }
});

describe("utm parameters", () => {
  it("are read from the landing URL, names lower-cased, first value kept", () => {
    expect(
      utmParameters("https://shop.example/?UTM_Source=News&utm_source=other&utm_medium=email&gclid=x&utm_term="),
    ).toEqual({ utm_source: "News", utm_medium: "email" });
  });

  it("are bounded in number and length", () => {
    const many = Array.from({ length: 20 }, (_, i) => `utm_p${i}=${"v".repeat(300)}`).join("&");
    const utm = utmParameters(`https://shop.example/?${many}`);
    expect(Object.keys(utm)).toHaveLength(10);
    expect(Object.values(utm).every((v) => v.length === 100)).toBe(true);
  });

  it("a URL that does not parse has none", () => {
    expect(utmParameters("::")).toEqual({});
  });
});

describe("traffic source", () => {
  it("an e-mail campaign is email whatever the referrer", () => {
    expect(trafficSource("https://www.google.com/", "https://shop.example/?utm_medium=Email").referrer).toBe("email");
  });

  it("a paid or social medium names a visit without referrer", () => {
    expect(trafficSource("", "https://shop.example/?utm_medium=cpc").referrer).toBe("search");
    expect(trafficSource("", "https://shop.example/?utm_medium=social").referrer).toBe("social");
    expect(trafficSource("", "https://shop.example/").referrer).toBe("direct");
  });

  it("a referrer's class wins over a non-email medium", () => {
    expect(trafficSource("https://t.co/x", "https://shop.example/?utm_medium=cpc").referrer).toBe("social");
  });

  it("stored sources are checked when read back", () => {
    expect(parseSource({ referrer: "search", utm: { utm_source: "g", bad: 1 } })).toEqual({
      referrer: "search",
      utm: { utm_source: "g" },
    });
    expect(parseSource({ referrer: "https://evil.example" })).toBeUndefined();
    expect(parseSource(null)).toBeUndefined();
  });
});
