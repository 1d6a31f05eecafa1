// Built-in background for derive-topics when no corpus is given: English function words (never a key
// phrase) and very common news words (rarely a useful one). Written for this project.

export const STOP_WORDS: ReadonlySet<string> = new Set(
  `a about above after again against all almost also although am among an and another any are aren't around
  as at be because been before being below between both but by can can't cannot could couldn't did didn't do
  does doesn't doing don't down during each either else enough etc even ever every few for from further get
  gets got had hadn't has hasn't have haven't having he her here hers herself him himself his how however i if
  in into is isn't it it's its itself just least less let like many may me might more most much must my
  myself neither no nor not now of off often on once one only onto or other others otherwise our ours
  ourselves out over own per perhaps rather same several shall she should shouldn't since so some such than
  that the their theirs them themselves then there these they this those though through thus to too toward
  towards under until up upon us very via was wasn't we well were weren't what whatever when where whether
  which while who whom whose why will with within without won't would wouldn't yet you your yours yourself
  yourselves s t re ve ll d m`.split(/\s+/),
);

/** Frequent words of general news writing: down-weighted, not banned. */
export const COMMON_WORDS: ReadonlySet<string> = new Set(
  `said says say saying told tells according report reports reported reporting news story stories article
  read min minute minutes hour hours day days week weeks month months year years today yesterday tomorrow
  monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
  september october november december time times new old first last next early late later recent recently
  former latest one two three four five six seven eight nine ten hundred thousand million billion percent
  people person man men woman women group groups part parts place way ways thing things lot lots number
  make makes made making take takes took taken come comes came go goes went gone see seen look looks looked
  know known think thought want wants wanted need needs use used uses using work works worked working call
  called calls give gives given find found keep kept put set show shows showed try tried help helps move
  moved turn turned start started end ended begin began run running include includes including included
  according issue issues question questions point points case cases fact facts area areas world country
  countries state states city government official officials public general major big small large great good
  high low long short best better right left little own important different possible clear sure real full
  second third top local national international many much more most several various certain likely able
  also however although still already yet ever never always often sometimes whole both each every other
  another such same editor senior staff writer reporter photo image video click share comment comments
  subscribe newsletter sign email follow page site home`.split(/\s+/),
);
