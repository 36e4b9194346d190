// What the views share: the server's status, the model shown, the latest result.

export const state = {
  view: "see",      // the tab shown: see, nudges, learn or noise
  status: null,     // GET /api/status
  model: null,      // GET /api/model: sizes and strongest edges
  result: null,     // the last /api/forward or /api/wishes answer for the pad's picture
  about: null,      // the test digit that answer is about (null: a drawing); the pad may have
                    // moved on to another while the answer was on its way
  error: null,      // the last error message, shown under the diagram
  target: null,     // the digit the network should have said (see the nudges)
  neuron: null,     // the neuron chosen in the diagram: {layer, index}
  focus: null,      // the chosen neuron's selector, to give it the focus back after a redraw
  rescale: false,   // nudges scaled to this example's biggest, not the absolute scale
  stage: null,      // the backward pass's stage shown ({wishes, edges} layers), null for all
  classes: null,    // the name of each class, label 0, 1, … (/api/config): digits, letters, clothes
  kind: "pictures", // the data (/api/config): "pictures", or "table" (rows of features)
  features: [],     // a table's column names
  noun: "digit",    // what one example is called (/api/config): "digit", "picture" or "row"
  articles: null,   // "a" or "an" before each class name (/api/config), as said aloud
};

// "digit" (digits), "picture" (other pictures) or "row" (a table): the data's own word.
export const noun = () => state.noun;

// Class j's name with its article: "an 8", "a Coat", "an Ankle boot".
export const withArticle = (j) => `${state.articles ? state.articles[j] : "a"} ${className(j)}`;

// Views that draw pictures, not offered for a table.
export const PICTURE_VIEWS = ["tour", "nudges", "average"];

// Class j's name ("7", "K", "Ankle boot"); the number itself where no names are known.
export const className = (j) => (state.classes && state.classes[j] !== undefined
  ? state.classes[j] : String(j));

// Class j's name on a chart's axis when every name is short (3 characters: digits, letters),
// else its number for every class alike.
export const shortName = (j) => (!state.classes || state.classes.some((c) => c.length > 3)
  ? String(j) : className(j));
