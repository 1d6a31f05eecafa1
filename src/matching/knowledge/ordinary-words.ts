// Ordinary words that some threat actors are also named after (Microsoft's chemical elements, animals,
// mythical and everyday names). A one-word actor alias found here counts only next to an actor cue
// ("Mercury hackers", "tracked as Mercury"), so "Mercury Insurance" or "Lead" in a headline does not
// give a story a state angle. Written for this project; extend it when an import brings new ones.
import { COMMON_WORDS, STOP_WORDS } from '../stopwords.ts';

const ELEMENTS = `hydrogen helium lithium beryllium boron carbon nitrogen oxygen fluorine neon sodium magnesium aluminum
aluminium silicon phosphorus sulfur sulphur chlorine argon potassium calcium scandium titanium vanadium chromium manganese
iron cobalt nickel copper zinc gallium germanium arsenic selenium bromine krypton rubidium strontium yttrium zirconium
niobium molybdenum technetium ruthenium rhodium palladium silver cadmium indium tin antimony tellurium iodine xenon
cesium caesium barium lanthanum cerium praseodymium neodymium promethium samarium europium gadolinium terbium dysprosium
holmium erbium thulium ytterbium lutetium hafnium tantalum tungsten rhenium osmium iridium platinum gold mercury thallium
lead bismuth polonium astatine radon francium radium actinium thorium protactinium uranium neptunium plutonium americium
curium berkelium californium einsteinium fermium mendelevium nobelium lawrencium rutherfordium dubnium seaborgium
bohrium hassium meitnerium darmstadtium roentgenium copernicium nihonium flerovium moscovium livermorium tennessine oganesson`;

const EVERYDAY = `ant bat bear bee beetle bird boar bug cat cobra crane crow deer dog dolphin dove dragon eagle eel elephant elk
falcon ferret finch fish fly fox frog gecko goat goose gorilla hawk heron hornet horse hound jackal jaguar kitten koala
leopard lion lizard lynx mackerel mantis mole monkey moth mouse mule octopus orca owl panda panther parrot peacock pelican
penguin pigeon puma python rabbit rat rattlesnake raven scorpion shark sheep snake sparrow spider squid swan tick tiger toad
turtle viper vulture wasp weasel whale wolf worm yak zebra antlion billbug blackfly dogfish hogfish cicada springtail
swallowtail greenbug buckeye budworm seedworm shuckworm palmerworm timberworm appleworm waterbug suckfly grayfly daggerfly
scarab amoeba
apollo athena atlas calypso callisto cyclops hydra hermes helios kraken leviathan medusa mercury minotaur neptune odin
oracle orion pandora phoenix poseidon saturn sauron thor titan trident triton valkyrie venus vulcan zeus
axiom basin bitter blackwood castle cleaver comet dune elfin equation flash ghost gremlin hood hoodoo icecap lamberts
longhorn lurid mask mirage monsoon moonlight nitro patchwork pioneer polaris popeye reaper sea snowglobe strider summit
superman sword team trident venom vermin voyeur wraith whisper winter storm sandstorm blizzard typhoon tempest sleet
hurricane cyclone tornado thunder lightning shadow spectre specter phantom ninja samurai pirate viking knight
gop ups uca dsirf cvnx gref
alibaba amazon apple google microsoft meta oracle adobe cisco samsung sony intel nvidia tesla`;

export const ORDINARY_WORDS: ReadonlySet<string> = new Set([
  ...ELEMENTS.split(/\s+/),
  ...EVERYDAY.split(/\s+/),
  ...STOP_WORDS,
  ...COMMON_WORDS,
].filter((w) => w !== ''));
