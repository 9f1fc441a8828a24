// The join form: a player under 14 plays with a guardian and is not asked for a phone.

const under14 = document.querySelector("[name=under_14]");
const phoneField = document.querySelector("[data-phone-field]");
if (under14 && phoneField) {
  const update = () => {
    phoneField.hidden = under14.checked;
  };
  under14.addEventListener("change", update);
  update();
}
